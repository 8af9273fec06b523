"""The activation and closure gates, ticking by hand, overrides, and the tracker's records."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD, make_site
from trialdesk.finance.tests.factories import make_schedule
from trialdesk.sites import services as site_services
from trialdesk.startup import rules, selectors, services
from trialdesk.startup.models import ChecklistTick, GateOverride
from trialdesk.startup.tests.factories import gated_study, walk_to

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 1)
HAND = ("pharmacy_check", "country-no-country-rules-ship-for-new-zealand")


def _tick(site, item, by, **values):
    fields = dict(done_on=DAY, done_by="Dr Aroha Ngata", evidence="ISF tab 3", by=by)
    fields.update(values)
    return services.tick_item(study_site=site, gate=rules.ACTIVATION, item=item, **fields)


def test_activation_with_a_pending_item_is_refused_and_allowed_once_it_is_done(world):
    study, site = gated_study(world)
    site = walk_to(site, "start_up", by=world.crm)
    for key in HAND[:-1]:
        _tick(site, key, world.crm)
    with pytest.raises(ValidationError) as refused:
        site_services.change_site_status(study_site=site, to="activated", by=world.crm, reason="go")
    message = str(refused.value.message_dict["status"])
    assert "No country rules ship for New Zealand" in message and "1 required item(s) pending" in message
    site.refresh_from_db()
    assert site.status == "start_up" and site.activated_on is None
    _tick(site, HAND[-1], world.crm)
    site = site_services.change_site_status(study_site=site, to="activated", by=world.crm, reason="go")
    assert site.status == "activated"


def test_a_tick_without_evidence_date_or_name_names_each_field_and_saves_nothing(world):
    _, site = gated_study(world)
    with pytest.raises(ValidationError) as refused:
        _tick(site, "pharmacy_check", world.crm, done_on=None, done_by=" ", evidence="")
    assert set(refused.value.message_dict) == {"done_on", "done_by", "evidence"}
    with pytest.raises(ValidationError) as future:
        _tick(site, "pharmacy_check", world.crm, done_on=dt.date(2999, 1, 1))
    assert "future" in future.value.message_dict["done_on"][0]
    assert not ChecklistTick.objects.exists()


def test_an_item_a_record_shows_cannot_be_ticked_and_is_done_by_its_record(world):
    site = world.site_a1
    with pytest.raises(ValidationError) as refused:
        _tick(site, "contract_budget", world.crm)
    assert "record" in refused.value.message_dict["item"][0]
    make_schedule(site, by=world.admin)
    item = next(i for i in selectors.tracker(site, rules.ACTIVATION).items if i.key == "contract_budget")
    assert item.state == rules.DONE and item.url and item.done_on == dt.date(2025, 1, 1)


def test_only_the_sites_people_and_the_crm_tick(world):
    _, site = gated_study(world)
    with pytest.raises(PermissionDenied):
        _tick(site, "pharmacy_check", world.coordinator)


def test_override_needs_reason_and_signature_then_lets_the_site_pass(world):
    study, site = gated_study(world)
    site = walk_to(site, "start_up", by=world.crm)
    with pytest.raises(ValidationError) as no_reason:
        services.sign_override(
            study=study, study_site=site, gate="activation", reason=" ", password=PASSWORD, by=world.crm
        )
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as no_password:
        services.sign_override(
            study=study, study_site=site, gate="activation", reason="Paper ISF", password="", by=world.crm
        )
    assert "password" in no_password.value.message_dict
    with pytest.raises(PermissionDenied):
        services.sign_override(
            study=study, study_site=site, gate="activation", reason="x", password=PASSWORD, by=world.monitor
        )
    assert not GateOverride.objects.filter(study=study).exists()
    override = services.sign_override(
        study=study,
        study_site=site,
        gate="activation",
        reason="Paper ISF checked on site",
        password=PASSWORD,
        by=world.crm,
    )
    assert len(override.pending) == 2 and override.signed_by == world.crm
    site = site_services.change_site_status(study_site=site, to="activated", by=world.crm, reason="go")
    assert site.status == "activated"
    assert selectors.site_overrides(site) == [override]


def test_closing_an_enrolling_site_is_refused_naming_what_is_pending(world):
    study, site = gated_study(world)
    services.sign_override(
        study=study, study_site=site, gate="activation", reason="r", password=PASSWORD, by=world.crm
    )
    site = walk_to(site, "enrolling", by=world.crm)
    site = site_services.change_site_status(study_site=site, to="enrollment_closed", by=world.crm, reason="x")
    with pytest.raises(ValidationError) as refused:
        site_services.change_site_status(study_site=site, to="closed", by=world.crm, reason="x")
    message = refused.value.message_dict["status"][0]
    assert "cannot be closed" in message and "Close-out visit done" in message and "archived" in message


def test_archiving_needs_a_retention_end_after_the_day(world):
    _, site = gated_study(world)
    with pytest.raises(ValidationError) as refused:
        services.tick_item(
            study_site=site,
            gate=rules.CLOSURE,
            item="archived",
            done_on=DAY,
            done_by="A",
            evidence="Iron Mountain box 7",
            by=world.crm,
        )
    assert "retain_until" in refused.value.message_dict
    services.tick_item(
        study_site=site,
        gate=rules.CLOSURE,
        item="archived",
        done_on=DAY,
        done_by="A",
        evidence="Iron Mountain box 7",
        retain_until=dt.date(2050, 3, 1),
        by=world.crm,
    )


def test_the_tracker_reads_in_the_same_number_of_queries_for_one_site_or_many(world):
    study, site = gated_study(world)
    more = [site] + [make_site(study, str(600 + n), by=world.admin) for n in range(4)]
    for gate in rules.GATE_LABELS:
        with CaptureQueriesContext(connection) as one:
            selectors.trackers([site], gate)
        with CaptureQueriesContext(connection) as five:
            selectors.trackers(more, gate)
        assert len(five) == len(one), gate


def test_a_move_that_passes_no_gate_reads_nothing(world):
    _, site = gated_study(world)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.gate_refusal(study_site=site, to="under_feasibility") is None
    assert len(queries) == 0
