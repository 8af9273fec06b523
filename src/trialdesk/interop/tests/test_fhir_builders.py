"""FHIR R4 builders: value-set mappings as tables, and every built resource valid for fhir.resources (R4B)."""

import datetime as dt

import pytest
from fhir.resources.bundle import Bundle as BundleR5
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.researchstudy import ResearchStudy
from fhir.resources.R4B.researchsubject import ResearchSubject
from fhir.resources.researchstudy import ResearchStudy as ResearchStudyR5
from fhir.resources.researchsubject import ResearchSubject as ResearchSubjectR5
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.interop import fhir

# R4 value sets (hl7.org/fhir/R4/valueset-research-study-status.html, -research-subject-status.html,
# terminology.hl7.org/CodeSystem/research-study-phase).
R4_STUDY_STATUSES = {
    "active", "administratively-completed", "approved", "closed-to-accrual",
    "closed-to-accrual-and-intervention", "completed", "disapproved", "in-review",
    "temporarily-closed-to-accrual", "temporarily-closed-to-accrual-and-intervention", "withdrawn",
}  # fmt: skip
R4_SUBJECT_STATUSES = {
    "candidate", "eligible", "follow-up", "ineligible", "not-registered", "off-study", "on-study",
    "on-study-intervention", "on-study-observation", "pending-on-study", "potential-candidate",
    "screening", "withdrawn",
}  # fmt: skip
R4_PHASES = {
    "n-a", "early-phase-1", "phase-1", "phase-1-phase-2", "phase-2", "phase-2-phase-3", "phase-3", "phase-4",
}  # fmt: skip

STUDY_STATUS_TABLE = [
    # Trialdesk status         FHIR R4 ResearchStudy.status
    ("planned", "in-review"),
    ("start_up", "approved"),
    ("recruiting", "active"),
    ("active_not_recruiting", "closed-to-accrual"),
    ("suspended", "temporarily-closed-to-accrual-and-intervention"),
    ("completed", "completed"),
    ("terminated", "administratively-completed"),
    ("withdrawn", "withdrawn"),
]
SUBJECT_STATUS_TABLE = [
    ("screening", "screening"),
    ("enrolled", "on-study"),
    ("randomized", "on-study"),
    ("on_treatment", "on-study-intervention"),
    ("follow_up", "follow-up"),
    ("completed", "off-study"),
    ("withdrawn", "withdrawn"),
    ("lost_to_follow_up", "off-study"),
    ("died", "off-study"),
]
PHASE_TABLE = [
    ("I", "phase-1"),
    ("I-II", "phase-1-phase-2"),
    ("II", "phase-2"),
    ("II-III", "phase-2-phase-3"),
    ("III", "phase-3"),
    ("IV", "phase-4"),
    ("device", "n-a"),
    ("observational", "n-a"),
]


def study(**overrides) -> fhir.StudyFacts:
    values = dict(
        id=7,
        code="ONC-A",
        title="Study ONC-A",
        status="recruiting",
        phase="III",
        sponsor="Acme Pharma",
        planned_enrollment=120,
        nct_number="NCT01234567",
        conditions=("Oncology",),
        sites=(fhir.SiteFacts("101", "Charité", "Berlin", "DE", "enrolling", postal_code="10117"),),
        arms=(fhir.ArmFacts("A", "Drug X", "Experimental"),),
    )
    values.update(overrides)
    return fhir.StudyFacts(**values)


def subject(**overrides) -> fhir.SubjectFacts:
    values = dict(id=3, number="101-001", study_id=7, study_code="ONC-A", status="randomized")
    values.update(overrides)
    return fhir.SubjectFacts(**values)


@pytest.mark.parametrize(("ours", "theirs"), STUDY_STATUS_TABLE)
def test_study_status(ours, theirs):
    assert fhir.research_study(study(status=ours))["status"] == theirs


@pytest.mark.parametrize(("ours", "theirs"), SUBJECT_STATUS_TABLE)
def test_subject_status(ours, theirs):
    assert fhir.research_subject(subject(status=ours))["status"] == theirs


@pytest.mark.parametrize(("ours", "theirs"), PHASE_TABLE)
def test_phase(ours, theirs):
    assert fhir.research_study(study(phase=ours))["phase"]["coding"][0]["code"] == theirs


def test_tables_cover_every_mapping_and_stay_inside_the_r4_value_sets():
    assert dict(STUDY_STATUS_TABLE) == fhir.STUDY_STATUS
    assert dict(SUBJECT_STATUS_TABLE) == fhir.SUBJECT_STATUS
    assert {ours: code for ours, (code, _) in fhir.PHASE.items()} == dict(PHASE_TABLE)
    assert set(fhir.STUDY_STATUS.values()) <= R4_STUDY_STATUSES
    assert set(fhir.SUBJECT_STATUS.values()) <= R4_SUBJECT_STATUSES
    assert {code for code, _ in fhir.PHASE.values()} <= R4_PHASES


def test_identifiers_protocol_number_then_nct():
    assert fhir.research_study(study())["identifier"] == [
        {"use": "official", "system": "urn:trialdesk:protocol-number", "value": "ONC-A"},
        {"use": "secondary", "system": "https://clinicaltrials.gov", "value": "NCT01234567"},
    ]
    assert len(fhir.research_study(study(nct_number=""))["identifier"]) == 1


def test_no_arm_unless_given():
    assert "assignedArm" not in fhir.research_subject(subject())
    assert fhir.research_subject(subject(arm_code="B"))["assignedArm"] == "B"


def test_ended_participants_have_a_closed_period():
    resource = fhir.research_subject(
        subject(status="withdrawn", enrolled_on=dt.date(2025, 3, 1), ended_on=dt.date(2025, 5, 2))
    )
    assert resource["period"] == {"start": "2025-03-01", "end": "2025-05-02"}


text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip()
)
sites = st.builds(
    fhir.SiteFacts,
    number=text,
    name=text,
    city=text,
    country=st.sampled_from(["DE", "US", "JP"]),
    status=st.sampled_from(["enrolling", "closed", "terminated", "identified"]),
)


@given(
    title=text,
    status=st.sampled_from(sorted(fhir.STUDY_STATUS)),
    phase=st.sampled_from(sorted(fhir.PHASE)),
    sites=st.lists(sites, max_size=4, unique_by=lambda s: s.number),
    planned=st.integers(min_value=0, max_value=10_000),
    number=text,
    subject_status=st.sampled_from(sorted(fhir.SUBJECT_STATUS)),
    arm=st.none() | text,
)
def test_any_facts_give_valid_r4_resources(title, status, phase, sites, planned, number, subject_status, arm):
    facts = study(title=title, status=status, phase=phase, sites=tuple(sites), planned_enrollment=planned)
    ResearchStudy.model_validate(fhir.research_study(facts))
    participant = subject(number=number, status=subject_status, arm_code=arm)
    ResearchSubject.model_validate(fhir.research_subject(participant))
    at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    Bundle.model_validate(fhir.bundle(facts, [participant], at=at))
    Bundle.model_validate(fhir.bundle(facts, [participant], at=at, base_url="https://example.org/fhir"))
    ResearchStudyR5.model_validate(fhir.research_study_r5(facts))
    ResearchSubjectR5.model_validate(fhir.research_subject_r5(participant))
    BundleR5.model_validate(fhir.bundle(facts, [participant], at=at, release="R5"))


@pytest.mark.parametrize(
    ("accept", "release"),
    [
        ("", "R4"),
        ("application/json", "R4"),
        ("application/fhir+json", "R4"),
        ("application/fhir+json; fhirVersion=4.0", "R4"),
        ("application/fhir+json; fhirVersion=5.0", "R5"),
        ('application/fhir+json; fhirversion="5.0", application/json', "R5"),
        ("application/fhir+json; fhirVersion=3.0", None),
    ],
)
def test_release_from_the_accept_header(accept, release):
    assert fhir.release_from_accept(accept) == release


def test_r5_study_drops_r4_only_elements_and_keeps_contained_locations_referenced():
    resource = fhir.research_study_r5(study())
    assert not {"enrollment", "sponsor", "arm", "location"} & set(resource)
    assert [c["resourceType"] for c in resource["contained"]] == ["Location"]
    assert resource["site"][0]["reference"] == "#" + resource["contained"][0]["id"]
    assert resource["region"] == [{"coding": [{"system": "urn:iso:std:iso:3166", "code": "DE"}]}]
