"""The ODM writer: whatever text a study holds, the document is valid ODM 1.3.2 and reads back."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from trialdesk.interop.odm import (
    AdminUser,
    AuditEntry,
    EventDef,
    EventRecord,
    Location,
    MetaDataVersion,
    OdmDocument,
    SubjectRecord,
    parse_bytes,
    read_clinical_data,
    schema_problems,
    write,
)

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
NOW = dt.datetime(2025, 6, 1, 12, 30, tzinfo=dt.UTC)


def document(**overrides) -> OdmDocument:
    values = dict(
        file_oid="F.1",
        created_at=NOW,
        study_oid="ST.ONC-A",
        study_name="ONC-A",
        study_description="A study",
        protocol_name="ONC-A",
        metadata_versions=(
            MetaDataVersion(
                oid="MDV.1.0",
                name="Protocol v1.0",
                events=(EventDef("SE.SCR", "Screening"), EventDef("SE.W2", "Week 2")),
                arm_codes=(("A", "Drug"), ("B", "Placebo")),
            ),
        ),
        users=(
            AdminUser("USR.crm", "crm", "Anna Crm"),
            AdminUser("USR.mia", "mia", location_oids=("LOC.101",)),
        ),
        locations=(Location("LOC.101", "Charité, Berlin", metadata_version_oid="MDV.1.0"),),
        subjects=(
            SubjectRecord(
                key="101-001",
                site_oid="LOC.101",
                metadata_version_oid="MDV.1.0",
                status="randomized",
                enrolled_on=dt.date(2025, 3, 1),
                arm_code="A",
                randomized_at=NOW,
                events=(EventRecord("SE.W2", dt.date(2025, 3, 17), "on_site"),),
            ),
        ),
        audit_entries=(
            AuditEntry("AR.1", "USR.crm", "LOC.101", NOW, "Visit recorded", "scheduledvisit.recorded"),
        ),
    )
    values.update(overrides)
    return OdmDocument(**values)


def test_a_full_document_is_valid_and_reads_back():
    xml = write(document())
    assert schema_problems(xml) == []
    [subject] = read_clinical_data(parse_bytes(xml))
    assert (subject.key, subject.site_oid) == ("101-001", "LOC.101")
    assert [e.oid for e in subject.events] == ["SE.TRIALDESK.PARTICIPANT", "SE.W2"]
    assert subject.events[1].items["IT.SVSTDTC"][0][0] == "2025-03-17"


def test_times_are_written_in_utc_with_their_offset():
    root = etree.fromstring(
        write(document(created_at=dt.datetime(2025, 6, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))))
    )
    assert root.get("CreationDateTime") == "2025-06-01T12:30:00+00:00"


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="naive"):
        write(document(created_at=dt.datetime(2025, 6, 1, 12, 30)))  # noqa: DTZ001 - the point of the test


def test_a_subject_without_an_arm_has_no_randomization_form():
    subject = document().subjects[0]
    blinded = SubjectRecord(**{**subject.__dict__, "arm_code": None})
    xml = write(document(subjects=(blinded,)))
    assert schema_problems(xml) == []
    assert b'F.RANDOMIZATION"' not in xml.split(b"<ClinicalData")[1]


def test_granularity_follows_the_parts():
    assert (
        etree.fromstring(write(document(include_clinical_data=False, audit_entries=()))).get("Granularity")
        == "Metadata"
    )
    assert etree.fromstring(write(document(include_metadata=False))).get("Granularity") == "AllClinicalData"
    assert etree.fromstring(write(document())).get("Granularity") == "All"


def test_audit_records_without_subjects_still_have_a_clinical_data_block():
    xml = write(document(subjects=(), include_clinical_data=False))
    assert schema_problems(xml) == []
    root = etree.fromstring(xml)
    assert len(root.xpath("//odm:ClinicalData/odm:AuditRecords/odm:AuditRecord", namespaces=NS)) == 1


names = st.text(min_size=1, max_size=40)
codes = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@given(
    title=st.text(max_size=80),
    event_names=st.lists(names, min_size=0, max_size=5),
    key=codes,
    reason=st.text(max_size=60),
    arm=st.none() | codes,
)
def test_any_text_gives_a_valid_document(title, event_names, key, reason, arm):
    events = tuple(EventDef(f"SE.{i}", name) for i, name in enumerate(event_names))
    mdv = MetaDataVersion(oid="MDV.1", name="v1", events=events, arm_codes=(((arm, arm),) if arm else ()))
    subject = SubjectRecord(
        key=key,
        site_oid="LOC.1",
        metadata_version_oid="MDV.1",
        status="enrolled",
        arm_code=arm,
        events=tuple(EventRecord(e.oid, dt.date(2025, 1, 1)) for e in events),
    )
    xml = write(
        document(
            study_description=title,
            metadata_versions=(mdv,),
            subjects=(subject,),
            audit_entries=(AuditEntry("AR.1", "USR.crm", "LOC.101", NOW, reason, "x"),),
        )
    )
    assert schema_problems(xml) == []
    [read] = read_clinical_data(parse_bytes(xml))
    assert len(read.events) == len(events) + 1
