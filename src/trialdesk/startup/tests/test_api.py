"""The start-up API: trackers, ticking, overrides, the gate through the sites API, cycle times and the
study's close-out; 404 outside scope, 403 to read-only roles, 422 naming the field, nothing saved."""

import pytest

from tests.factories import PASSWORD
from trialdesk.startup import services
from trialdesk.startup.models import ChecklistTick, CycleTarget, GateOverride
from trialdesk.startup.tests.factories import gated_study, walk_to

pytestmark = pytest.mark.django_db
NZ = "country-no-country-rules-ship-for-new-zealand"


@pytest.fixture
def api(client_for):
    def as_person(user):
        client = client_for(user)

        def call(method, path, body=None):
            kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
            return getattr(client, method)("/api/v1" + path, **kwargs)

        return call

    return as_person


def tick(item, **values):
    return {"item": item, "done_on": "2025-03-01", "done_by": "Dr Aroha Ngata", "evidence": "ISF 3", **values}


def test_activation_through_the_api_waits_for_the_last_item(world, api):
    study, site = gated_study(world)
    site = walk_to(site, "start_up", by=world.crm)
    crm = api(world.crm)
    tracker = crm("get", f"/study-sites/{site.pk}/startup").json()
    assert tracker["passes"] is False and len(tracker["pending"]) == 2
    assert crm("post", f"/study-sites/{site.pk}/startup/ticks", tick("pharmacy_check")).status_code == 201
    move = {"to": "activated", "reason": "go", "version": site.version}
    refused = crm("post", f"/study-sites/{site.pk}/transition", move)
    assert refused.status_code == 422
    assert "No country rules ship for New Zealand" in refused.json()["errors"][0]["message"]
    assert refused.json()["errors"][0]["field"] == "to"
    done = crm("post", f"/study-sites/{site.pk}/startup/ticks", tick(NZ))
    assert done.json()["passes"] is True
    assert crm("post", f"/study-sites/{site.pk}/transition", move).status_code == 200
    rows = crm("get", f"/studies/{study.pk}/startup").json()["sites"]
    assert [r["study_site_id"] for r in rows] == [site.pk]


def test_bad_ticks_and_overrides_name_the_field_and_save_nothing(world, api):
    study, site = gated_study(world)
    crm = api(world.crm)
    no_evidence = crm("post", f"/study-sites/{site.pk}/startup/ticks", tick("pharmacy_check", evidence=""))
    assert no_evidence.status_code == 422
    assert {e["field"] for e in no_evidence.json()["errors"]} == {"evidence"}
    no_day = crm("post", f"/study-sites/{site.pk}/startup/ticks", tick("pharmacy_check", done_on=None))
    assert {e["field"] for e in no_day.json()["errors"]} == {"done_on"}
    unsigned = crm("post", f"/study-sites/{site.pk}/startup/overrides", {"reason": "Paper ISF"})
    assert unsigned.status_code == 422 and unsigned.json()["errors"][0]["field"] == "password"
    no_reason = crm("post", f"/study-sites/{site.pk}/startup/overrides", {"password": PASSWORD})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert not ChecklistTick.objects.exists() and not GateOverride.objects.filter(study=study).exists()
    signed = crm(
        "post", f"/study-sites/{site.pk}/startup/overrides", {"reason": "Paper ISF", "password": PASSWORD}
    )
    assert signed.status_code == 201 and signed.json()["signed_by"] == world.crm.username


def test_site_staff_elsewhere_get_404_and_readers_403(world, api):
    site = world.site_a1
    services.set_study_item(
        study=world.study_a, gate="activation", key="pharmacy_check", label="Pharmacy set-up", by=world.crm
    )
    assert api(world.coordinator)("get", f"/study-sites/{site.pk}/startup").status_code == 404
    assert (
        api(world.coordinator)(
            "post", f"/study-sites/{site.pk}/startup/ticks", tick("pharmacy_check")
        ).status_code
        == 404
    )
    assert (
        api(world.auditor)(
            "post", f"/study-sites/{site.pk}/startup/ticks", tick("pharmacy_check")
        ).status_code
        == 403
    )
    assert (
        api(world.monitor)(
            "post", f"/study-sites/{site.pk}/startup/ticks", tick("pharmacy_check")
        ).status_code
        == 201
    )
    assert api(world.auditor)("get", f"/study-sites/{site.pk}/closeout").status_code == 200


def test_cycle_times_targets_and_closeout(world, api):
    crm = api(world.crm)
    study = world.study_a
    set_target = crm(
        "post",
        f"/studies/{study.pk}/startup/cycle-times/targets",
        {"interval": "selected_to_activated", "days": 90},
    )
    assert set_target.status_code == 200
    row = next(r for r in set_target.json()["study"] if r["interval"] == "selected_to_activated")
    assert row["target_days"] == 90
    assert CycleTarget.objects.filter(study=study).count() == 1
    bad = crm("post", f"/studies/{study.pk}/startup/cycle-times/targets", {"interval": "nope", "days": 0})
    assert bad.status_code == 422
    closeout = crm("get", f"/studies/{study.pk}/closeout").json()
    deadlines = {d["key"] for d in closeout["deadlines"]}  # DE and JP sites
    assert deadlines == {"eu_end_of_trial", "eu_end_of_trial_all", "eu_results"}
    added = crm(
        "post",
        f"/studies/{study.pk}/startup/items",
        {"gate": "closure", "key": "biobank-transfer", "label": "Residual samples transferred"},
    )
    assert added.status_code == 201
    assert (
        api(world.auditor)(
            "post", f"/studies/{study.pk}/startup/items", {"key": "x", "label": "x"}
        ).status_code
        == 403
    )
