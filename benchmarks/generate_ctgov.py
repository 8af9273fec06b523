"""Write synthetic ClinicalTrials.gov API v2 records for the import benchmark.

Each record has the shape of the real ones in tests/data/ctgov/v2 (identification, status, sponsor,
design, arms, outcomes, eligibility, locations with geo points). Its locations are drawn from a pool of
`--institutions` facilities (2,000 by default, as in generate.py's portfolio: trials share hospitals), so
every location becomes a new study site and each facility one institution the first time it is met.

    python benchmarks/generate_ctgov.py --records 1000 --sites 20 --out var/ctgov-bench   # pages of 100
    python benchmarks/generate_ctgov.py --records 1 --sites 1200 --institutions 1200 --out var/ctgov-big
"""

import argparse
import json
import random
from pathlib import Path

# City, state, country as the registry names it, latitude, longitude.
CITIES = (
    ("Boston", "Massachusetts", "United States", 42.3601, -71.0589),
    ("Houston", "Texas", "United States", 29.7604, -95.3698),
    ("Denver", "Colorado", "United States", 39.7392, -104.9903),
    ("Los Angeles", "California", "United States", 34.0522, -118.2437),
    ("Toronto", "Ontario", "Canada", 43.6532, -79.3832),
    ("São Paulo", "SP", "Brazil", -23.5505, -46.6333),
    ("London", "", "United Kingdom", 51.5072, -0.1276),
    ("Berlin", "", "Germany", 52.52, 13.405),
    ("Paris", "", "France", 48.8566, 2.3522),
    ("Madrid", "", "Spain", 40.4168, -3.7038),
    ("Milan", "", "Italy", 45.4642, 9.19),
    ("Warsaw", "", "Poland", 52.2297, 21.0122),
    ("Praha", "", "Czechia", 50.0755, 14.4378),
    ("Moscow", "", "Russian Federation", 55.7558, 37.6173),
    ("Tokyo", "", "Japan", 35.6762, 139.6503),
    ("Seoul", "", "Korea, Republic of", 37.5665, 126.978),
    ("Taipei", "", "Taiwan", 25.033, 121.5654),
    ("Sydney", "New South Wales", "Australia", -33.8688, 151.2093),
)
STATUSES = ("RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED", "NOT_YET_RECRUITING")


def record(number: int, sites: int, rng: random.Random, *, institutions: int = 2000, first: int = 0) -> dict:
    status = STATUSES[number % len(STATUSES)]
    locations = []
    for index in range(sites):
        facility = first + (number * 7 + index) % institutions
        city, state, country, lat, lon = CITIES[facility % len(CITIES)]
        locations.append(
            {
                "facility": f"Research Hospital {facility:06d}",
                "status": "RECRUITING" if status == "RECRUITING" else None,
                "city": city,
                "state": state or None,
                "zip": f"{rng.randint(10000, 99999)}",
                "country": country,
                "geoPoint": {"lat": lat + rng.uniform(-0.2, 0.2), "lon": lon + rng.uniform(-0.2, 0.2)},
            }
        )
    completion_type = "ACTUAL" if status == "COMPLETED" else "ESTIMATED"
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": f"NCT9{number:07d}",
                "orgStudyIdInfo": {"id": f"BENCH-{number:05d}"},
                "briefTitle": f"Benchmark study {number} of drug X in condition Y",
                "officialTitle": f"A Randomized, Double-blind Phase 3 Benchmark Study {number}",
                "acronym": f"BEN{number}",
            },
            "statusModule": {
                "overallStatus": status,
                "startDateStruct": {"date": "2022-03-01", "type": "ACTUAL"},
                "primaryCompletionDateStruct": {
                    "date": "2025-06-30" if completion_type == "ACTUAL" else "2027-06-30",
                    "type": completion_type,
                },
                "completionDateStruct": {
                    "date": "2025-12-31" if completion_type == "ACTUAL" else "2027-12-31",
                    "type": completion_type,
                },
                "studyFirstSubmitDate": "2022-02-15",
                "lastUpdateSubmitDate": "2025-10-01",
                "lastUpdatePostDateStruct": {"date": "2025-10-03", "type": "ACTUAL"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": "Benchmark Pharma", "class": "INDUSTRY"},
                "collaborators": [{"name": "Benchmark CRO", "class": "INDUSTRY"}],
            },
            "oversightModule": {"isFdaRegulatedDrug": True, "isFdaRegulatedDevice": False},
            "descriptionModule": {"briefSummary": "A synthetic record for the import benchmark."},
            "conditionsModule": {"conditions": ["Condition Y"]},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE3"],
                "designInfo": {"maskingInfo": {"masking": "DOUBLE"}},
                "enrollmentInfo": {"count": 20 * sites, "type": completion_type},
            },
            "armsInterventionsModule": {
                "armGroups": [
                    {"label": "Drug X", "type": "EXPERIMENTAL", "interventionNames": ["Drug: X"]},
                    {
                        "label": "Placebo",
                        "type": "PLACEBO_COMPARATOR",
                        "interventionNames": ["Drug: placebo"],
                    },
                ],
                "interventions": [{"type": "DRUG", "name": "X"}, {"type": "DRUG", "name": "placebo"}],
            },
            "outcomesModule": {
                "primaryOutcomes": [{"measure": "Overall survival", "timeFrame": "36 months"}],
                "secondaryOutcomes": [{"measure": "Progression-free survival", "timeFrame": "24 months"}],
            },
            "eligibilityModule": {
                "eligibilityCriteria": "Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\n* None",
                "sex": "ALL",
                "minimumAge": "18 Years",
            },
            "contactsLocationsModule": {"locations": locations},
        },
        "hasResults": False,
    }


def write(
    out: Path,
    *,
    records: int,
    sites: int,
    institutions: int = 2000,
    first_institution: int = 0,
    first_number: int = 0,
    page_size: int = 100,
    seed: int = 6,
) -> list[Path]:
    """Pages `{"studies": [...]}` of `page_size` records each; returns the files written."""
    if sites > institutions:
        raise ValueError("a record cannot list more sites than there are institutions in the pool")
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(first_number, first_number + records, page_size):
        numbers = range(start, min(start + page_size, first_number + records))
        page = {
            "studies": [
                record(n, sites, rng, institutions=institutions, first=first_institution) for n in numbers
            ]
        }
        path = out / f"page-{(start - first_number) // page_size:04d}.json"
        path.write_text(json.dumps(page))
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--institutions", type=int, default=2000, help="size of the pool of facilities")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    files = write(args.out, records=args.records, sites=args.sites, institutions=args.institutions)
    print(f"{args.records} records × {args.sites} sites in {len(files)} file(s) under {args.out}")


if __name__ == "__main__":
    main()
