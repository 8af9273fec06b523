"""The study page's ODM and FHIR downloads: what the reader may see, as a file, and 404 outside scope."""

import json

from lxml import etree

from tests.factories import make_participant

ODM_NAMESPACE = "{http://www.cdisc.org/ns/odm/v1.3}"


def test_the_crm_downloads_the_study_as_odm_with_its_participants(world, client_for):
    make_participant(world.site_a1, "101-001", by=world.admin)
    response = client_for(world.crm).get(f"/studies/{world.study_a.pk}/export/odm.xml?audit=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ONC-A-odm-audit.xml"'
    root = etree.fromstring(response.content)
    assert root.tag == f"{ODM_NAMESPACE}ODM"
    subjects = root.findall(f".//{ODM_NAMESPACE}SubjectData")
    assert [subject.get("SubjectKey") for subject in subjects] == ["101-001"]
    assert root.findall(f".//{ODM_NAMESPACE}AuditRecord")


def test_the_fhir_bundle_holds_the_study_and_the_participants_in_scope(world, client_for):
    make_participant(world.site_a1, "101-001", by=world.admin)
    response = client_for(world.monitor).get(f"/studies/{world.study_a.pk}/export/fhir.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert bundle["resourceType"] == "Bundle"
    assert "ResearchStudy" in kinds and kinds.count("ResearchSubject") == 1


def test_a_study_outside_the_readers_scope_is_not_found(world, client_for):
    outsider = client_for(world.outsider)
    assert outsider.get(f"/studies/{world.study_a.pk}/export/odm.xml").status_code == 404
    assert outsider.get(f"/studies/{world.study_a.pk}/export/fhir.json").status_code == 404


def test_a_monitor_of_one_site_gets_no_staff_of_the_other_sites(world, client_for):
    response = client_for(world.monitor).get(f"/studies/{world.study_a.pk}/export/odm.xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    locations = {ref.get("LocationOID") for ref in root.iter(f"{ODM_NAMESPACE}LocationRef")}
    assert locations <= {location.get("OID") for location in root.iter(f"{ODM_NAMESPACE}Location")}
    assert len(root.findall(f".//{ODM_NAMESPACE}Location")) == 1
