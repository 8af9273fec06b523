"""Recruitment records for tests: criteria with rules and a site's pool from the CSV template."""

from trialdesk.recruitment import services

ANC = {"system": "http://loinc.org", "code": "751-8"}
ECOG = {"system": "http://loinc.org", "code": "89247-1"}
POOL_HEADER = "candidate,birth_date,sex,conditions,medications,89247-1 {score},751-8 10*9/L\n"


def make_criteria(study, *, by) -> list:
    """Four items: age 18–75 and ANC ≥ 1.5 × 10⁹/L (rules in use), consent (manual), no HIV (in use)."""
    rules = (
        ("inclusion", "Aged 18 to 75 years", {"kind": "age", "minimum": 18, "maximum": 75, "unit": "years"}),
        (
            "inclusion",
            "ANC ≥ 1,500/mm3",
            {"kind": "observation", "code": ANC, "comparator": ">=", "value": 1500, "unit": "/uL"},
        ),
        ("inclusion", "Signed informed consent", None),
        (
            "exclusion",
            "History of HIV",
            {
                "kind": "condition",
                "code": {"system": "http://hl7.org/fhir/sid/icd-10", "code": "B20-B24"},
                "present": True,
            },
        ),
    )
    return [
        services.create_criterion(
            study=study, by=by, section=section, text=text, rule=rule, rule_confirmed=rule is not None
        )
        for section, text, rule in rules
    ]


def pool_csv(*rows: str) -> bytes:
    return (POOL_HEADER + "".join(f"{row}\n" for row in rows)).encode()


def make_pool(site, *, by, keys=("C-1",), rows=None):
    """Upload candidates to `site`'s pool (one row per key unless `rows` given); returns the upload."""
    rows = rows or [f"{key},1970-05-01,female,,,1@2025-01-02,2.0@2025-01-02" for key in keys]
    return services.upload_candidates(study_site=site, by=by, file_name="pool.csv", content=pool_csv(*rows))
