"""The supply API: the whole path from depot to participant, bad input answered 422 naming the field with
nothing saved, blinded readers never given the kit type → arm mapping, subject-blind readers no dispensing."""

import pytest

from tests.writes import nothing_written
from trialdesk.core.records import update_record
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.supply.models import Dispensing, Kit, KitType


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.fixture
def api(ip, client_for):
    return {
        "manager": client_for(ip.supply_manager),
        "coordinator": client_for(ip.trial.coordinator_a1),
        "pharmacist": client_for(ip.trial.pharmacist),
        "monitor": client_for(ip.world.monitor),
        "sponsor": client_for(ip.world.sponsor_viewer),
    }


def test_depot_to_site_to_participant_through_the_api(ip, api):
    world = ip.world
    study, site = world.study_a.pk, world.site_a1.pk
    shipped = api["manager"].post(
        f"/api/v1/studies/{study}/supply/shipments",
        {"depot_id": ip.depot.pk, "study_site_id": site, "kits": {"KT-A": 2, "KT-B": 2},
         "shipped_on": "2025-02-01", "courier": "MediCourier", "tracking_number": "MC123"},
        content_type="application/json",
    )  # fmt: skip
    assert shipped.status_code == 201, shipped.content
    shipment = shipped.json()
    assert (shipment["kits_shipped"], shipment["tracking_number"]) == (4, "MC123")
    url = f"/api/v1/supply/shipments/{shipment['id']}/receipt"
    too_many = {"received_on": "2025-02-03", "kits_received": 5}
    with nothing_written():
        refused = api["coordinator"].post(url, too_many, content_type="application/json")
    assert refused.status_code == 422 and fields(refused) == {"kits_received"}
    received = api["coordinator"].post(
        url, {"received_on": "2025-02-03", "kits_received": 4}, content_type="application/json"
    )
    assert received.json()["status"] == "received"
    participant = ip.randomized[0]
    dispensed = api["coordinator"].post(
        f"/api/v1/participants/{participant.pk}/supply/dispensings", {"dispensed_on": "2025-02-04"},
        content_type="application/json",
    )  # fmt: skip
    assert dispensed.status_code == 201, dispensed.content
    assert "kit_type" not in dispensed.json() and dispensed.json()["kit_number"].startswith("ONC-A-K-")
    accounts = api["monitor"].get(f"/api/v1/studies/{study}/supply/accountability").json()["items"]
    assert [(a["site_number"], a["received"], a["dispensed"], a["reconciled"]) for a in accounts] == [
        ("101", 4, 1, True)
    ]


def test_bad_input_is_refused_naming_the_field_with_nothing_saved(ip, api):
    """A kit for a participant not randomized; a shipment to a site not activated (the field as sent)."""
    url = f"/api/v1/participants/{ip.not_randomized.pk}/supply/dispensings"
    body = {"depot_id": ip.depot.pk, "study_site_id": ip.world.site_a2.pk, "kits": {"KT-A": 1},
            "shipped_on": "2025-02-01"}  # fmt: skip
    with nothing_written():
        not_randomized = api["coordinator"].post(
            url, {"dispensed_on": "2025-02-04"}, content_type="application/json"
        )
        not_activated = api["manager"].post(
            f"/api/v1/studies/{ip.world.study_a.pk}/supply/shipments", body, content_type="application/json"
        )
    assert not_randomized.status_code == 422 and fields(not_randomized) == {"participant"}
    assert not_activated.status_code == 422 and fields(not_activated) == {"study_site_id"}


def test_blinded_readers_never_get_the_kit_type_arm(ip, api):
    """The monitor (blinded) sees kit types without their arm and kits without their type; the pharmacist
    with unblinded access sees both; the audit trail masks a kit type's arm for the monitor."""
    url = f"/api/v1/studies/{ip.world.study_a.pk}/supply/kit-types"
    blinded = api["monitor"].get(url).json()["items"]
    assert {(t["code"], t["arm_code"], t["arm_hidden"]) for t in blinded} == {
        ("KT-A", None, True),
        ("KT-B", None, True),
    }
    unblinded = api["pharmacist"].get(url).json()["items"]
    assert {(t["code"], t["arm_code"]) for t in unblinded} == {("KT-A", "A"), ("KT-B", "B")}
    kits = api["monitor"].get(f"/api/v1/studies/{ip.world.study_a.pk}/supply/kits").json()["items"]
    assert kits and {k["kit_type_code"] for k in kits} == {None}
    kit_type = KitType.objects.get(code="KT-A", study=ip.world.study_a)
    history = api["monitor"].get(f"/api/v1/studies/{ip.world.study_a.pk}/audit-events?limit=500").json()
    created = [
        e for e in history["items"] if e["action"] == "kittype.created" and e["object_id"] == str(kit_type.pk)
    ]
    assert [e["changes"]["arm"][1] for e in created] == ["blinded"]


def test_subject_blind_readers_get_no_dispensing(ip, api):
    from trialdesk.supply.tests.factories import make_dispensing

    kit = Kit.objects.filter(study=ip.world.study_a).first()
    update_record(kit, changes={"study_site": ip.world.site_a1}, by=ip.world.admin, reason="test")
    dispensing = make_dispensing(ip.randomized[0], Kit.objects.get(pk=kit.pk), by=ip.world.admin)
    assert (
        api["sponsor"].get(f"/api/v1/participants/{ip.randomized[0].pk}/supply/dispensings").status_code
        == 404
    )
    assert Dispensing.objects.visible_to(ip.world.sponsor_viewer).filter(pk=dispensing.pk).count() == 0


def test_read_only_roles_and_other_sites_cannot_write(ip, api, client_for):
    world = ip.world
    auditor = client_for(world.auditor)
    response = auditor.post(
        f"/api/v1/studies/{world.study_a.pk}/supply/depots", {"name": "X", "country": "DE"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403
    assign_role(user=world.coordinator, role=Role.COORDINATOR, study_site=world.site_a2, by=world.admin)
    other_site = client_for(world.coordinator)
    url = f"/api/v1/participants/{ip.randomized[0].pk}/supply/dispensings"
    assert (
        other_site.post(url, {"dispensed_on": "2025-02-04"}, content_type="application/json").status_code
        == 404
    )
