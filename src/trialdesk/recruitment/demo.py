"""The demo's eligibility: criteria with rules for two demo studies (ONC-301 from its protocol text, with
the suggested rules confirmed; CARD-201 entered rule by rule), and a pre-screening pool of 40 synthetic,
de-identified candidates at each of ONC-301's first two sites, screened and explained; one eligible
candidate per site approached into the screening log."""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.recruitment import services
from trialdesk.recruitment.models import CandidateStatus, EligibilityCriterion
from trialdesk.sites.models import StudySite

ONCOLOGY_CRITERIA = """Inclusion Criteria:

* Age 18 to 80 years
* ECOG performance status 0-1
* Absolute neutrophil count ≥ 1.5 x 10^9/L
* Hemoglobin ≥ 9 g/dL
* Estimated glomerular filtration rate ≥ 45 mL/min/1.73 m2
* Histologically confirmed non-small cell lung cancer with measurable disease per RECIST 1.1
* Signed informed consent

Exclusion Criteria:

* History of myocardial infarction within 6 months
* Known HIV
* Pregnant women
* Untreated brain metastases
"""
ICD10, LOINC, ATC = "http://hl7.org/fhir/sid/icd-10", "http://loinc.org", "http://www.whocc.no/atc"
CARDIOLOGY_CRITERIA = (
    ("inclusion", "Aged 40 years or older", {"kind": "age", "minimum": 40, "maximum": None, "unit": "years"}),
    (
        "inclusion",
        "Chronic heart failure (ICD-10 I50)",
        {"kind": "condition", "code": {"system": ICD10, "code": "I50"}, "present": True},
    ),
    (
        "inclusion",
        "LVEF ≤ 40 % within the last 12 months",
        {
            "kind": "observation",
            "code": {"system": LOINC, "code": "10230-1"},
            "comparator": "<=",
            "value": 40,
            "unit": "%",
            "within_days": 365,
        },
    ),
    (
        "exclusion",
        "eGFR < 30 mL/min/1.73 m2",
        {
            "kind": "observation",
            "code": {"system": LOINC, "code": "62238-1"},
            "comparator": "<",
            "value": 30,
            "unit": "mL/min/{1.73_m2}",
        },
    ),
    (
        "exclusion",
        "Treatment with a sacubitril/valsartan combination in the last 3 months",
        {
            "kind": "medication",
            "code": {"system": ATC, "code": "C09DX04"},
            "present": True,
            "within_days": 91,
        },
    ),
    ("exclusion", "Life expectancy under one year", None),
)
HEADER = (
    "candidate,birth_date,sex,conditions,medications,"
    "89247-1 {score},751-8 10*9/L,718-7 g/dL,62238-1 mL/min/{1.73_m2}\n"
)


def load(demo: DemoContext) -> None:
    studies = demo.made["studies"]
    if "ONC-301" in studies:
        _oncology(demo, studies["ONC-301"])
    if "CARD-201" in studies:
        for section, text, rule in CARDIOLOGY_CRITERIA:
            services.create_criterion(
                study=studies["CARD-201"],
                by=demo.crm,
                section=section,
                text=text,
                rule=rule,
                rule_confirmed=rule is not None,
            )
    demo.summary.append("eligibility criteria with rules, and pre-screening pools at two sites")


def _oncology(demo: DemoContext, study) -> None:
    services.import_criteria_text(study=study, text=ONCOLOGY_CRITERIA, by=demo.crm)
    for criterion in EligibilityCriterion.objects.filter(
        study=study, rule__isnull=False, rule_confirmed=False
    ):
        services.confirm_rule(criterion=criterion, by=demo.crm, reason="checked against protocol section 4")
    services.set_retention(
        study=study, retention_days=365, by=demo.crm, reason="site data-protection agreement"
    )
    rng = demo.rng("recruitment")
    for site in (
        StudySite.objects.filter(study=study).select_related("institution").order_by("site_number")[:2]
    ):
        today = site.local_today()
        rows = [_row(rng, f"{site.site_number}-{n:03d}", today) for n in range(1, 41)]
        upload = services.upload_candidates(
            study_site=site,
            by=demo.crm,
            file_name=f"ehr-extract-{site.site_number}.csv",
            content=(HEADER + "".join(rows)).encode(),
        )
        eligible = upload.candidates.filter(status=CandidateStatus.ELIGIBLE).order_by("key").first()
        if eligible is not None:
            services.approach_candidate(
                candidate=eligible, by=demo.crm, screening_number=f"PS-{site.site_number}-01"
            )


def _row(rng, key: str, today: dt.date) -> str:
    """A synthetic candidate: made up from random draws, never from a person."""
    born = today - dt.timedelta(days=rng.randint(30 * 365, 86 * 365))
    measured = (today - dt.timedelta(days=rng.randint(3, 60))).isoformat()
    conditions = ["icd10|C34.9|" + (today - dt.timedelta(days=rng.randint(30, 400))).isoformat()]
    if rng.random() < 0.08:
        conditions.append("icd10|I21.4|" + (today - dt.timedelta(days=rng.randint(10, 400))).isoformat())
    if rng.random() < 0.03:
        conditions.append("icd10|B20|2015-06-01")
    ecog = "" if rng.random() < 0.12 else f"{rng.choice([0, 0, 1, 1, 1, 2, 3])}@{measured}"
    anc = f"{max(rng.gauss(3.2, 1.4), 0.2):.1f}@{measured}"
    hemoglobin = f"{max(rng.gauss(11.8, 1.9), 6):.1f}@{measured}"
    egfr = "" if rng.random() < 0.1 else f"{max(rng.gauss(72, 22), 10):.0f}@{measured}"
    sex = rng.choice(["female", "male"])
    return f"{key},{born.isoformat()},{sex},{';'.join(conditions)},,{ecog},{anc},{hemoglobin},{egfr}\n"
