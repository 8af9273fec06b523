"""Reading ClinicalData defensively: vendor attributes, typed items, no namespace, missing fields."""

from tests.reference_data import REFERENCE_DATA
from trialdesk.interop.odm import parse_bytes, parse_file, read_clinical_data

ODM_DATA = REFERENCE_DATA / "odm/v1_3_2"


def test_real_snapshot_subjects_events_and_items():
    subjects = read_clinical_data(parse_file(ODM_DATA / "odm-data-snapshot.xml"))
    assert [s.key for s in subjects] == ["SS_0001", "SS_0002"]
    first = subjects[0]
    assert first.xpath == "/ODM/ClinicalData[1]/SubjectData[1]"
    assert [e.oid for e in first.events] == ["SE.SCREENING", "SE.VISIT 1", "SE.VISIT 2", "SE.VISIT 3"]
    screening = first.events[0]
    assert screening.repeat_key == "1"
    [(value, where)] = screening.items["IT.VISITDTC"]
    assert value == "2022-02-12"
    assert where.startswith("/ODM/ClinicalData[1]/SubjectData[1]/StudyEventData[1]/FormData[")


def test_odmlib_file_with_two_clinical_data_blocks():
    subjects = read_clinical_data(parse_file(ODM_DATA / "test_clinical_data_01.xml"))
    assert [(s.key, s.study_oid, s.xpath) for s in subjects] == [
        ("1000", "P2006-101", "/ODM/ClinicalData[1]/SubjectData[1]"),
        ("1000", "P2006-101", "/ODM/ClinicalData[2]/SubjectData[1]"),
    ]
    assert subjects[0].transaction_type == "Insert"


OPENCLINICA = b"""<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:OpenClinica="http://www.openclinica.org/ns/odm_ext_v130/v3.1">
<ClinicalData StudyOID="S_1"><SubjectData SubjectKey="SS_101001"><SiteRef LocationOID="S_SITE1"/>
<StudyEventData StudyEventOID="SE_W2" OpenClinica:StartDate="2025-03-18">
<AuditRecord><UserRef UserOID="u"/><LocationRef LocationOID="l"/>
<DateTimeStamp>2025-03-19T08:00:00Z</DateTimeStamp></AuditRecord>
<FormData FormOID="F_1"><ItemGroupData ItemGroupOID="IG_1">
<ItemDataDate ItemOID="I_DATE">2025-03-17</ItemDataDate>
<ItemData ItemOID="I_NULL" IsNull="Yes"/></ItemGroupData></FormData>
</StudyEventData><StudyEventData/></SubjectData><SubjectData/></ClinicalData></ODM>"""


def test_vendor_start_date_typed_items_audit_stamps_and_missing_fields():
    first, second = read_clinical_data(parse_bytes(OPENCLINICA))
    assert (first.key, first.site_oid) == ("SS_101001", "S_SITE1")
    event, empty = first.events
    assert event.start_date == (
        "2025-03-18",
        "/ODM/ClinicalData[1]/SubjectData[1]/StudyEventData[1]/@StartDate",
    )
    assert event.items == {
        "I_DATE": [
            (
                "2025-03-17",
                "/ODM/ClinicalData[1]/SubjectData[1]/StudyEventData[1]/FormData[1]/ItemGroupData[1]"
                "/ItemDataDate[1]",
            )
        ]
    }
    assert event.audit_stamps == [
        (
            "2025-03-19T08:00:00Z",
            "/ODM/ClinicalData[1]/SubjectData[1]/StudyEventData[1]/AuditRecord[1]/DateTimeStamp[1]",
        )
    ]
    assert (empty.oid, empty.items) == ("", {})
    assert (second.key, second.events) == ("", [])


def test_documents_without_the_odm_namespace_are_read():
    [subject] = read_clinical_data(
        parse_bytes(b'<ODM><ClinicalData><SubjectData SubjectKey="7"/></ClinicalData></ODM>')
    )
    assert subject.key == "7"
