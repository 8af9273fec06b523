"""ODM 1.3.2 export of a study: valid against the schema, scoped to the exporter, blinded roles see no arm."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from tests.reference_data import REFERENCE_DATA
from trialdesk.integrations.odm import selectors as odm
from trialdesk.interop.odm import schema_problems
from trialdesk.randomization import services as randomization_services
from trialdesk.randomization.tests.factories import build_trial
from trialdesk.visits import services as visit_services
from trialdesk.visits.tests.factories import build_visit_world

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
# The schema as published, beside the copy Trialdesk ships: the export must pass both.
PUBLISHED_SCHEMA = REFERENCE_DATA / "odm/schema/odm1-3-2/ODM1-3-2.xsd"


def published_schema_problems(xml: bytes) -> list[str]:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    schema = etree.XMLSchema(etree.parse(str(PUBLISHED_SCHEMA), parser=parser))
    document = etree.fromstring(xml)
    return [] if schema.validate(document) else [str(e) for e in schema.error_log]


@pytest.fixture
def trial(world):
    """Study A blinded, a schedule, two randomized participants at A1, one visit done."""
    trial = build_trial(world, participants=2)
    visits = build_visit_world(world, participant_a1=trial.participants[0])
    for participant in trial.participants:
        randomization_services.randomize(
            participant=participant, factor_levels={"sex": "F"}, by=trial.coordinator_a1
        )
    visit_services.record_visit(
        scheduled_visit=visits.visit_a1, done_on=dt.date(2025, 3, 17), modality="on_site", by=world.admin
    )
    trial.visits = visits
    return trial


def parse(xml: bytes):
    return etree.fromstring(xml)


def test_full_export_is_valid_odm_1_3_2(trial, world):
    xml = odm.export_study(study=world.study_a, user=world.admin, audit=True)
    assert schema_problems(xml) == []
    assert published_schema_problems(xml) == []
    root = parse(xml)
    assert root.get("ODMVersion") == "1.3.2"
    assert root.xpath("odm:Study/odm:GlobalVariables/odm:ProtocolName/text()", namespaces=NS) == ["ONC-A"]


def test_schedule_becomes_study_event_defs(trial, world):
    root = parse(odm.export_study(study=world.study_a, user=world.admin, metadata=True, clinical_data=False))
    events = root.xpath("//odm:MetaDataVersion/odm:StudyEventDef/@OID", namespaces=NS)
    for code in ("SCR", "BL", "W2", "W4", "FU", "EOS"):
        assert f"SE.{code}" in events
    refs = root.xpath("//odm:Protocol/odm:StudyEventRef/@StudyEventOID", namespaces=NS)
    assert refs[:6] == ["SE.SCR", "SE.BL", "SE.W2", "SE.W4", "SE.FU", "SE.EOS"]
    assert root.get("Granularity") == "Metadata"
    assert root.xpath("//odm:ClinicalData", namespaces=NS) == []


def test_admin_data_lists_sites_as_locations_and_staff_as_users(trial, world):
    root = parse(odm.export_study(study=world.study_a, user=world.admin))
    locations = root.xpath("//odm:AdminData/odm:Location/@OID", namespaces=NS)
    assert {"LOC.101", "LOC.102"} <= set(locations)
    users = root.xpath("//odm:AdminData/odm:User/odm:LoginName/text()", namespaces=NS)
    assert {world.crm.username, world.monitor.username, "coordinator_cleo"} <= set(users)
    login = world.monitor.username
    monitor = root.xpath(f"//odm:User[odm:LoginName='{login}']/odm:LocationRef/@LocationOID", namespaces=NS)
    assert monitor == ["LOC.101"]


def test_subjects_have_participant_number_site_and_visits(trial, world):
    root = parse(odm.export_study(study=world.study_a, user=world.admin))
    subject = root.xpath("//odm:SubjectData[@SubjectKey='101-001']", namespaces=NS)[0]
    assert subject.xpath("odm:SiteRef/@LocationOID", namespaces=NS) == ["LOC.101"]
    visit = subject.xpath("odm:StudyEventData[@StudyEventOID='SE.W2']", namespaces=NS)[0]
    assert visit.xpath(".//odm:ItemData[@ItemOID='IT.SVSTDTC']/@Value", namespaces=NS) == ["2025-03-17"]


def arms_in(xml: bytes) -> list[str]:
    return parse(xml).xpath("//odm:ItemData[@ItemOID='IT.ARMCD']/@Value", namespaces=NS)


def test_unblinded_reader_exports_arms(trial, world):
    xml = odm.export_study(study=world.study_a, user=trial.pharmacist)
    assert len(arms_in(xml)) == 2
    assert schema_problems(xml) == []


@pytest.mark.parametrize("who", ["monitor", "crm", "coordinator_a1"])
def test_blinded_roles_export_no_arm(trial, world, who):
    user = getattr(world, who, None) or getattr(trial, who)
    xml = odm.export_study(study=world.study_a, user=user)
    assert arms_in(xml) == []
    assert b'IT.RANDDTC" Value' not in xml


def test_export_is_scoped_to_the_exporters_sites(trial, world):
    root = parse(odm.export_study(study=world.study_a, user=world.monitor))
    assert root.xpath("//odm:SubjectData/@SubjectKey", namespaces=NS) == ["101-001", "101-002"]
    assert root.xpath("//odm:Location/@OID", namespaces=NS) == ["LOC.101"]


def test_sponsor_viewer_exports_no_participants(trial, world):
    root = parse(odm.export_study(study=world.study_a, user=world.sponsor_viewer))
    assert root.xpath("//odm:SubjectData", namespaces=NS) == []


def test_audit_records_come_from_the_trail(trial, world):
    xml = odm.export_study(
        study=world.study_a, user=world.admin, metadata=False, clinical_data=False, audit=True
    )
    assert schema_problems(xml) == []
    root = parse(xml)
    records = root.xpath("//odm:AuditRecords/odm:AuditRecord", namespaces=NS)
    assert records
    recorded = [r for r in records if "scheduledvisit.recorded" in r.findtext("odm:SourceID", namespaces=NS)]
    assert len(recorded) == 1
    record = recorded[0]
    assert record.xpath("odm:UserRef/@UserOID", namespaces=NS) == ["USR.admin"]
    assert record.xpath("odm:LocationRef/@LocationOID", namespaces=NS) == ["LOC.101"]
    assert record.findtext("odm:ReasonForChange", namespaces=NS) == "Visit recorded"
    assert dt.datetime.fromisoformat(record.findtext("odm:DateTimeStamp", namespaces=NS)).tzinfo is not None
    # Every UserRef and LocationRef points at something in AdminData.
    users = set(root.xpath("//odm:AdminData/odm:User/@OID", namespaces=NS))
    locations = set(root.xpath("//odm:AdminData/odm:Location/@OID", namespaces=NS))
    assert set(root.xpath("//odm:AuditRecord/odm:UserRef/@UserOID", namespaces=NS)) <= users
    assert set(root.xpath("//odm:AuditRecord/odm:LocationRef/@LocationOID", namespaces=NS)) <= locations


def test_audit_records_of_a_site_user_stay_in_their_scope(trial, world):
    root = parse(odm.export_study(study=world.study_a, user=world.monitor, audit=True))
    assert set(root.xpath("//odm:AuditRecord/odm:LocationRef/@LocationOID", namespaces=NS)) <= {
        "LOC.101",
        odm.SPONSOR_LOCATION,
    }


def test_study_without_protocol_still_validates(world):
    xml = odm.export_study(study=world.study_b, user=world.admin, audit=True)
    assert schema_problems(xml) == []


# The command line -------------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_writes_a_valid_file(trial, world, tmp_path):
    target = tmp_path / "onc-a.xml"
    _, err = run(
        "export", "odm", "--study", "ONC-A", "--user", world.monitor.username, "--audit", "-o", str(target)
    )
    assert "Wrote" in err
    xml = target.read_bytes()
    assert schema_problems(xml) == []
    assert arms_in(xml) == []


def test_command_needs_a_user(world, tmp_path):
    with pytest.raises(CommandError, match="--user"):
        run("export", "odm", "--study", "ONC-A", "-o", str(tmp_path / "x.xml"))


def test_command_refuses_a_study_out_of_scope(world, tmp_path):
    with pytest.raises(CommandError, match="no study 'CARD-B' that .* can see"):
        run(
            "export",
            "odm",
            "--study",
            "CARD-B",
            "--user",
            world.monitor.username,
            "-o",
            str(tmp_path / "x.xml"),
        )
    assert not (tmp_path / "x.xml").exists()


def test_command_refuses_an_unknown_user(world, tmp_path):
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        run("export", "odm", "--study", "ONC-A", "--user", "nobody", "-o", str(tmp_path / "x.xml"))
