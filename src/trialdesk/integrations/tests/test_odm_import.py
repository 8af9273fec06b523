"""ODM ClinicalData import: visits recorded through the visits service, all checked first, all or nothing.

Real EDC files: tests/data/odm/v1_3_2/ (CDISC DataExchange-ODM examples and odmlib test data, MIT).
"""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_participant
from tests.reference_data import REFERENCE_DATA
from trialdesk.core.models import AuditEvent
from trialdesk.integrations.odm import services as odm
from trialdesk.integrations.odm.mapping import Mapping, MappingError, load_mapping
from trialdesk.integrations.odm.selectors import export_study
from trialdesk.interop.odm import parse_bytes
from trialdesk.visits import services as visit_services
from trialdesk.visits.models import ScheduledVisit
from trialdesk.visits.tests.factories import build_visit_world

ODM_DATA = REFERENCE_DATA / "odm/v1_3_2"
SNAPSHOT = ODM_DATA / "odm-data-snapshot.xml"
# The snapshot's visits mapped onto study A's schedule (visits factories: SCR, BL, W2, W4, FU, EOS).
SNAPSHOT_MAPPING = {
    "subjects": {"SS_0001": "SS-0001", "SS_0002": "SS-0002"},
    "study_events": {"SE.SCREENING": "SCR", "SE.VISIT 1": "W2", "SE.VISIT 2": "W4", "SE.VISIT 3": "FU"},
    "sites": {"ISSS": "101"},
}


def clinical(*subjects: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileOID="F.1" FileType="Snapshot" '
        'CreationDateTime="2025-06-01T10:00:00Z" ODMVersion="1.3.2">'
        '<ClinicalData StudyOID="EDC.ONC-A" MetaDataVersionOID="v1">'
        + "".join(subjects)
        + "</ClinicalData></ODM>"
    ).encode()


def subject(key: str, *events: str, site: str = "") -> str:
    site_ref = f'<SiteRef LocationOID="{site}"/>' if site else ""
    return f'<SubjectData SubjectKey="{key}">{site_ref}{"".join(events)}</SubjectData>'


def event(oid: str, date: str | None, item: str = "IT.SVSTDTC") -> str:
    value = f'<ItemData ItemOID="{item}" Value="{date}"/>' if date else ""
    return (
        f'<StudyEventData StudyEventOID="{oid}"><FormData FormOID="F.VISIT">'
        f'<ItemGroupData ItemGroupOID="IG.VISIT">{value}</ItemGroupData></FormData></StudyEventData>'
    )


@pytest.fixture
def visits(world):
    return build_visit_world(world)


def write(tmp_path, data: bytes, name="edc.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def visit(participant, code: str) -> ScheduledVisit:
    return ScheduledVisit.objects.get(participant=participant, definition__code=code)


def test_import_records_visits_done_with_an_audit_event(visits, world, tmp_path):
    path = write(
        tmp_path, clinical(subject("101-001", event("SE.W2", "2025-03-18"), event("SE.W4", "2025-03-31")))
    )
    report = odm.import_file(path=path, study=world.study_a, user=world.crm)
    assert report.ok, report.problems
    assert report.recorded == 2
    w2 = visit(visits.participant_a1, "W2")
    assert (w2.status, w2.done_on, w2.modality) == ("done", dt.date(2025, 3, 18), "on_site")
    event_row = AuditEvent.objects.filter(object_type="visits.scheduledvisit", object_id=str(w2.pk)).last()
    assert event_row.action == "scheduledvisit.recorded"
    assert event_row.reason == "CDISC ODM import (edc.xml)"
    assert event_row.actor_username == world.crm.username


def test_import_is_idempotent(visits, world, tmp_path):
    path = write(tmp_path, clinical(subject("101-001", event("SE.W2", "2025-03-18"))))
    odm.import_file(path=path, study=world.study_a, user=world.crm)
    before = AuditEvent.objects.count()
    again = odm.import_file(path=path, study=world.study_a, user=world.crm)
    assert (again.ok, again.recorded, again.unchanged) == (True, 0, 1)
    assert AuditEvent.objects.count() == before


def test_a_changed_date_in_the_edc_corrects_the_visit(visits, world, tmp_path):
    visit_services.record_visit(
        scheduled_visit=visits.visit_a1, done_on=dt.date(2025, 3, 17), modality="telemedicine", by=world.admin
    )
    path = write(tmp_path, clinical(subject("101-001", event("SE.W2", "2025-03-18"))))
    report = odm.import_file(path=path, study=world.study_a, user=world.crm)
    assert report.recorded == 1
    w2 = visit(visits.participant_a1, "W2")
    assert (w2.done_on, w2.modality, w2.version) == (dt.date(2025, 3, 18), "telemedicine", 3)


def test_one_bad_visit_changes_nothing_and_is_named_by_xpath(visits, world, tmp_path):
    data = clinical(
        subject("101-001", event("SE.W2", "2025-03-18")),
        subject("102-001", event("SE.W2", "2025-03-18"), event("SE.WEEK9", "2025-03-20")),
    )
    report = odm.import_file(path=write(tmp_path, data), study=world.study_a, user=world.crm)
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        "/ODM/ClinicalData[1]/SubjectData[2]/StudyEventData[2]/@StudyEventOID: 'SE.WEEK9' is not a visit "
        "of the schedule of activities; map it to a visit code in the mapping file (study_events)."
    ]
    assert visit(visits.participant_a1, "W2").status == "scheduled"


@pytest.mark.parametrize(
    ("xml_subject", "where", "message"),
    [
        (
            subject("999-999", event("SE.W2", "2025-03-18")),
            "SubjectData[1]/@SubjectKey",
            "no participant '999-999'",
        ),
        (subject("", event("SE.W2", "2025-03-18")), "SubjectData[1]/@SubjectKey", "SubjectKey is missing"),
        (
            subject("101-001", event("SE.W2", "2025-03")),
            "StudyEventData[1]/FormData[1]/ItemGroupData[1]/ItemData[1]",
            "not a full date",
        ),
        (subject("101-001", event("SE.W2", "2099-01-01")), "ItemData[1]", "cannot be in the future"),
        (
            subject("101-001", event("SE.W2", "2025-02-01")),
            "ItemData[1]",
            "before the participant's enrollment",
        ),
        (
            subject("101-001", event("SE.W2", "2025-03-18"), site="LOC.102"),
            "SiteRef/@LocationOID",
            "at site 101",
        ),
        (
            subject("201-001", event("SE.W2", "2025-03-18")),
            "SubjectKey",
            "no participant '201-001' in study ONC-A",
        ),
    ],
)
def test_problems_name_the_place(visits, world, tmp_path, xml_subject, where, message):
    report = odm.import_file(path=write(tmp_path, clinical(xml_subject)), study=world.study_a, user=world.crm)
    assert len(report.problems) == 1, report.problems
    assert where in report.problems[0].where
    assert message in report.problems[0].message
    assert not ScheduledVisit.objects.filter(status="done").exists()


def test_the_importer_must_be_allowed_to_record_visits(visits, world, tmp_path):
    path = write(tmp_path, clinical(subject("101-001", event("SE.W2", "2025-03-18"))))
    report = odm.import_file(path=path, study=world.study_a, user=world.monitor)
    assert [p.message for p in report.problems] == ["you may not record visits at site 101."]


def test_participants_outside_the_importers_scope_are_unknown(visits, world, tmp_path):
    path = write(tmp_path, clinical(subject("102-001", event("SE.W2", "2025-03-18"))))
    report = odm.import_file(path=path, study=world.study_a, user=world.monitor)
    assert "no participant '102-001'" in report.problems[0].message


def test_events_without_a_date_are_warnings(visits, world, tmp_path):
    path = write(tmp_path, clinical(subject("101-001", event("SE.W2", None), event("SE.W4", "2025-03-31"))))
    report = odm.import_file(path=path, study=world.study_a, user=world.crm)
    assert report.ok and report.recorded == 1
    assert "no visit date" in report.warnings[0].message


def test_dry_run_changes_nothing(visits, world, tmp_path):
    path = write(tmp_path, clinical(subject("101-001", event("SE.W2", "2025-03-18"))))
    report = odm.import_file(path=path, study=world.study_a, user=world.crm, dry_run=True)
    assert report.ok and len(report.planned) == 1 and report.recorded == 0
    assert visit(visits.participant_a1, "W2").status == "scheduled"


def test_export_then_import_round_trips(visits, world, tmp_path):
    visit_services.record_visit(
        scheduled_visit=visits.visit_a1, done_on=dt.date(2025, 3, 17), modality="on_site", by=world.admin
    )
    path = write(tmp_path, export_study(study=world.study_a, user=world.admin))
    report = odm.import_file(path=path, study=world.study_a, user=world.crm)
    assert (report.ok, report.recorded, report.unchanged) == (True, 0, 1)


# Safety -----------------------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE ODM [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"><ClinicalData StudyOID="X" MetaDataVersionOID="v">
<SubjectData SubjectKey="&secret;"/></ClinicalData></ODM>"""


def test_doctype_and_external_entities_are_refused(visits, world, tmp_path):
    report = odm.import_file(path=write(tmp_path, XXE), study=world.study_a, user=world.crm)
    assert "DOCTYPE" in report.problems[0].message


def test_a_500_mb_file_is_refused_by_its_size_unread(visits, world, tmp_path):
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.truncate(500 * 1024 * 1024)  # sparse: nothing is really written
    report = odm.import_file(path=path, study=world.study_a, user=world.crm)
    assert "524,288,000 bytes; the limit is" in report.problems[0].message


def test_malformed_xml_names_the_line(visits, world, tmp_path):
    report = odm.import_file(
        path=write(tmp_path, b"<ODM>\n<ClinicalData>\n</ODM>"), study=world.study_a, user=world.crm
    )
    assert report.problems[0].where == "line 3"


def test_a_file_that_is_not_odm_is_refused(visits, world, tmp_path):
    report = odm.import_file(path=write(tmp_path, b"<html/>"), study=world.study_a, user=world.crm)
    assert "not an ODM document" in report.problems[0].message


# A real EDC snapshot with a mapping file --------------------------------------------------------------


@pytest.fixture
def snapshot_participants(visits, world):
    """Two participants enrolled early enough for the snapshot's 2022 visit dates, with A's schedule."""
    made = []
    for number in ("SS-0001", "SS-0002"):
        participant = make_participant(world.site_a1, number, by=world.admin, enrolled_on=dt.date(2022, 1, 3))
        visit_services.schedule_visits(
            participant=participant, anchor="randomization", anchor_on=dt.date(2022, 1, 10), by=world.admin
        )
        visit_services.schedule_visits(
            participant=participant, anchor="consent", anchor_on=dt.date(2022, 1, 3), by=world.admin
        )
        made.append(participant)
    return made


def test_real_edc_snapshot_with_a_mapping_file(snapshot_participants, world, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({**SNAPSHOT_MAPPING, "visit_date_items": ["IT.VISITDTC"]}))
    report = odm.import_file(
        path=SNAPSHOT, study=world.study_a, user=world.crm, mapping=load_mapping(mapping)
    )
    assert report.ok, report.problems
    assert report.subjects_seen == 2
    screening = visit(snapshot_participants[0], "SCR")
    assert (screening.status, screening.done_on) == ("done", dt.date(2022, 2, 12))
    assert visit(snapshot_participants[0], "FU").done_on == dt.date(2022, 2, 12)
    # Events the EDC holds without a visit date are reported, and left alone.
    assert any("no visit date" in w.message for w in report.warnings)
    assert visit(snapshot_participants[1], "SCR").status == "scheduled"


def test_real_edc_snapshot_without_mapping_reports_every_unknown_subject(snapshot_participants, world):
    report = odm.import_file(path=SNAPSHOT, study=world.study_a, user=world.crm)
    assert [p.where for p in report.problems] == [
        "/ODM/ClinicalData[1]/SubjectData[1]/@SubjectKey",
        "/ODM/ClinicalData[1]/SubjectData[2]/@SubjectKey",
    ]
    assert not ScheduledVisit.objects.filter(status="done").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "$: "),
        ("[]", "$: give an object"),
        ('{"events": {}}', "$.events: unknown key; use subjects, study_events"),
        ('{"subjects": {"A": 1}}', "$.subjects.A: give text"),
        ('{"study_events": {"SE.VISIT 1": " "}}', "$.study_events['SE.VISIT 1']: give a name or OID"),
        ('{"visit_date_items": "IT.VISITDTC"}', "$.visit_date_items: give a list"),
        ('{"modality": "teleport"}', "$.modality: choose one of"),
    ],
)
def test_bad_mapping_files_name_the_json_path(tmp_path, content, message):
    path = tmp_path / "mapping.json"
    path.write_text(content)
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    assert str(error.value).startswith(f"{path}: {message}")


def test_every_bad_field_of_a_mapping_file_is_one_line(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text('{"subjects": {"A": 1, "B": "101-002"}, "statuses": {"DONE": "finished"}, "sitez": {}}')
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    assert [line.removeprefix(f"{path}: ").split(":")[0] for line in str(error.value).splitlines()] == [
        "$.subjects.A",
        "$.statuses.DONE",
        "$.sitez",
    ]


# The command line -------------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_summarises(visits, world, tmp_path):
    path = write(tmp_path, clinical(subject("101-001", event("SE.W2", "2025-03-18"))))
    out, _ = run("import", "odm", str(path), "--study", "ONC-A", "--user", world.crm.username)
    assert "edc.xml: 1 subject(s); recorded 1 visit(s) and 0 status change(s); 0 visit(s) already" in out


def test_command_reports_one_line_per_problem_and_fails(visits, world, tmp_path):
    data = clinical(
        subject("999", event("SE.W2", "2025-03-18")), subject("101-001", event("SE.X", "2025-03-18"))
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="edc.xml: 2 problem"):
        call_command(
            "import",
            "odm",
            str(write(tmp_path, data)),
            "--study",
            "ONC-A",
            "--user",
            world.crm.username,
            stderr=err,
        )
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 2 and all(
        line.startswith("edc.xml: /ODM/ClinicalData[1]/SubjectData[") for line in lines
    )


def test_command_with_a_doctype_fails_naming_the_file(visits, world, tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command(
            "import",
            "odm",
            str(write(tmp_path, XXE, "evil.xml")),
            "--study",
            "ONC-A",
            "--user",
            world.crm.username,
            stderr=err,
        )
    assert "evil.xml: line 1: The file has a DOCTYPE" in err.getvalue()


def test_command_with_a_bad_mapping_fails(visits, world, tmp_path):
    mapping = tmp_path / "m.json"
    mapping.write_text("{")
    path = write(tmp_path, clinical(subject("101-001", event("SE.W2", "2025-03-18"))))
    with pytest.raises(CommandError, match="not valid JSON"):
        run(
            "import",
            "odm",
            str(path),
            "--study",
            "ONC-A",
            "--user",
            world.crm.username,
            "--mapping",
            str(mapping),
        )


# Participant status from the EDC ----------------------------------------------------------------------


def status_event(value: str, item: str = "IT.STATUS", date: str | None = None) -> str:
    dated = f'<ItemData ItemOID="IT.DSSTDTC" Value="{date}"/>' if date else ""
    return (
        '<StudyEventData StudyEventOID="SE.TRIALDESK.PARTICIPANT"><FormData FormOID="F.PARTICIPANT">'
        f'<ItemGroupData ItemGroupOID="IG.PARTICIPANT"><ItemData ItemOID="{item}" Value="{value}"/>{dated}'
        "</ItemGroupData></FormData></StudyEventData>"
    )


def test_status_item_changes_the_participant_through_the_subjects_service(visits, world, tmp_path):
    path = write(tmp_path, clinical(subject("101-001", status_event("on_treatment"))))
    report = odm.import_file(path=path, study=world.study_a, user=world.crm)
    assert report.ok, report.problems
    assert report.status_changes == 1
    visits.participant_a1.refresh_from_db()
    assert visits.participant_a1.status == "on_treatment"
    event_row = AuditEvent.objects.filter(object_type="subjects.participant").last()
    assert event_row.reason == "CDISC ODM import (edc.xml)"


def test_edc_disposition_values_are_mapped_with_their_date(visits, world, tmp_path):
    mapping = Mapping(
        status_item="IT.DSDECOD",
        status_date_item="IT.DSSTDTC",
        statuses={"WITHDRAWAL BY SUBJECT": "withdrawn"},
    )
    data = clinical(subject("101-001", status_event("WITHDRAWAL BY SUBJECT", "IT.DSDECOD", "2025-04-02")))
    report = odm.import_file(path=write(tmp_path, data), study=world.study_a, user=world.crm, mapping=mapping)
    assert report.ok, report.problems
    visits.participant_a1.refresh_from_db()
    assert (visits.participant_a1.status, visits.participant_a1.status_changed_on) == (
        "withdrawn",
        dt.date(2025, 4, 2),
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("COMPLETED", "'COMPLETED' is not a participant status; map it in the mapping file (statuses)."),
        ("completed", "A participant who is enrolled can move only to: on treatment, withdrawn"),
        ("randomized", "A participant becomes randomized only by being randomized (an allocation"),
    ],
)
def test_status_problems_change_nothing(visits, world, tmp_path, value, message):
    data = clinical(subject("101-001", event("SE.W2", "2025-03-18"), status_event(value)))
    report = odm.import_file(path=write(tmp_path, data), study=world.study_a, user=world.crm)
    assert message in report.problems[0].message
    assert report.problems[0].where.endswith("/StudyEventData[2]/FormData[1]/ItemGroupData[1]/ItemData[1]")
    visits.participant_a1.refresh_from_db()
    assert visits.participant_a1.status == "enrolled"
    assert visit(visits.participant_a1, "W2").status == "scheduled"


def test_a_status_the_participant_already_has_is_left_alone(visits, world, tmp_path):
    path = write(tmp_path, export_study(study=world.study_a, user=world.admin))
    report = odm.import_file(path=path, study=world.study_a, user=world.crm)
    assert report.ok and report.statuses == []


def test_mapping_file_statuses_must_be_trialdesk_statuses(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text('{"statuses": {"DONE": "finished"}}')
    with pytest.raises(MappingError, match=r"\$\.statuses\.DONE: 'finished' is not a participant status"):
        load_mapping(path)


def test_schema_deviations_of_an_edc_export_are_warnings(visits, world, tmp_path):
    vendor = (
        '<SubjectData SubjectKey="101-001" xmlns:OpenClinica="http://www.openclinica.org/ns/odm_ext_v130/v3.1">'
        '<StudyEventData StudyEventOID="SE.W2" OpenClinica:StartDate="2025-03-18"/></SubjectData>'
    )
    report = odm.import_file(path=write(tmp_path, clinical(vendor)), study=world.study_a, user=world.crm)
    assert report.ok and report.recorded == 1
    assert visit(visits.participant_a1, "W2").done_on == dt.date(2025, 3, 18)
    assert any("not valid ODM 1.3.2" in w.message and "StartDate" in w.message for w in report.warnings)


def test_a_visit_changed_between_check_and_apply_is_not_overwritten(visits, world, tmp_path):
    data = clinical(subject("101-001", event("SE.W4", "2025-03-31"), event("SE.W2", "2025-03-18")))
    report = odm.plan_import(root=parse_bytes(data), study=world.study_a, user=world.crm, source="edc.xml")
    assert report.ok and len(report.planned) == 2
    visit_services.record_visit(
        scheduled_visit=visits.visit_a1, done_on=dt.date(2025, 3, 16), modality="on_site", by=world.admin
    )
    odm.apply_import(report, user=world.crm)
    assert "changed by someone else" in report.problems[0].message
    assert report.recorded == 0
    assert visit(visits.participant_a1, "W4").status == "scheduled"
    assert visit(visits.participant_a1, "W2").done_on == dt.date(2025, 3, 16)


def test_odmlib_file_with_the_subject_in_two_clinical_data_blocks(visits, world, tmp_path):
    """odmlib's test file: subject 1000 once per metadata version, dates only as lab collection times."""
    participant = make_participant(world.site_a1, "101-900", by=world.admin, enrolled_on=dt.date(2006, 6, 1))
    visit_services.schedule_visits(
        participant=participant, anchor="consent", anchor_on=dt.date(2006, 6, 1), by=world.admin
    )
    visit_services.schedule_visits(
        participant=participant, anchor="randomization", anchor_on=dt.date(2006, 7, 1), by=world.admin
    )
    mapping = Mapping(
        subjects={"1000": "101-900"},
        study_events={"Screen": "SCR", "VISIT_1": "W2"},
        visit_date_items=("LBDTC",),
    )
    report = odm.import_file(
        path=ODM_DATA / "test_clinical_data_01.xml", study=world.study_a, user=world.crm, mapping=mapping
    )
    assert report.ok, report.problems
    assert (report.subjects_seen, report.recorded) == (2, 2)
    assert visit(participant, "SCR").done_on == dt.date(2006, 7, 14)
    assert visit(participant, "W2").done_on == dt.date(2006, 7, 14)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-03-18", dt.date(2025, 3, 18)),
        ("2025-03-18T14:48", dt.date(2025, 3, 18)),
        ("2025-03-18T14:48:00+02:00", dt.date(2025, 3, 18)),
        (" 2025-03-18 ", dt.date(2025, 3, 18)),
        ("2025-03", None),  # partial dates (ISO 8601 reduced precision) say no day
        ("2025", None),
        ("2025-02-30", None),
        ("18/03/2025", None),
        ("", None),
    ],
)
def test_odm_dates(value, day):
    assert odm.parse_odm_date(value) == day
