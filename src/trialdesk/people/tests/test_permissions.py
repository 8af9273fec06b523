"""Who sees the interests of an investigator's financial disclosure: one rule, asked by the staff tab, the
API and the audit trail (people.permissions.can_see_financial_interests)."""

import datetime as dt

import pytest

from trialdesk.core.models import AuditEvent
from trialdesk.core.roles import Role
from trialdesk.people import rules, selectors, services
from trialdesk.people.permissions import can_see_financial_interests
from trialdesk.people.tests.factories import make_staff

COLLECTED_ON = dt.date(2025, 1, 6)
INTERESTS = [
    {
        "kind": "equity_interest",
        "amount_band": "up_to_25k",
        "description": "Shares in the sponsor",
        "publicly_traded": True,
    }
]
SEES = {
    "admin": True, "crm": True, "auditor": True, "sponsor_viewer": True, "pi": True,
    "monitor": False, "coordinator": False, "outsider": False, "crc": False,
}  # fmt: skip


@pytest.fixture
def people(world):
    """The named people, plus site A1's investigator (PI) and coordinator (CRC)."""
    pi = make_staff(world.site_a1, "pi_paula", by=world.admin, role=Role.INVESTIGATOR)
    crc = make_staff(world.site_a1, "crc_chris", by=world.admin)
    return {**world.people, "pi": pi, "crc": crc}


@pytest.fixture
def disclosure(world, people):
    """The site A1 investigator's initial disclosure, with an equity interest, collected by the CRM."""
    pi = people["pi"]
    return services.record_disclosure(
        study_site=world.site_a1, investigator=pi, occasion="initial", disclosed_on=COLLECTED_ON,
        has_interests=True, interests=INTERESTS, note="Sold in 2024", by=world.crm,
    )  # fmt: skip


@pytest.mark.parametrize(("person", "sees"), SEES.items())
def test_interests_are_seen_by_the_crm_auditor_sponsor_and_the_investigator_only(
    people, disclosure, person, sees
):
    assert can_see_financial_interests(people[person], disclosure) is sees


@pytest.mark.parametrize(("person", "sees"), SEES.items())
def test_audit_trail_shows_interests_only_to_those_who_see_them(people, disclosure, person, sees):
    events = AuditEvent.objects.filter(object_type=selectors.DISCLOSURE_TYPE, object_id=str(disclosure.pk))
    (event,) = selectors.mask_financial_interests(events, people[person])
    shown = {name: event.changes[name][1] for name in rules.INTEREST_FIELDS}
    if sees:
        assert shown == {"has_interests": True, "interests": INTERESTS, "note": "Sold in 2024"}
    else:
        assert shown == dict.fromkeys(rules.INTEREST_FIELDS, rules.NOT_SHOWN)
    # Who collected it, when and for which occasion stay visible to everyone who sees the event.
    assert event.changes["occasion"][1] == "initial" and event.changes["disclosed_on"][1] == "2025-01-06"
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes["interests"][1] == INTERESTS  # the stored event is untouched


def test_the_financial_interests_mask_is_registered_on_the_audit_trail():
    from trialdesk.core import extensions

    assert selectors.mask_financial_interests in list(extensions.audit_masks)


@pytest.mark.parametrize(("person", "sees"), [("monitor", False), ("crm", True)])
def test_the_study_audit_trail_export_and_api_show_interests_only_to_those_who_see_them(
    world, client_for, disclosure, person, sees
):
    from django.urls import reverse

    client = client_for(world.people[person])
    export = client.get(reverse("study_audit_export", kwargs={"study_id": world.study_a.pk}) + "?format=csv")
    api = client.get(f"/api/v1/studies/{world.study_a.pk}/audit-events?limit=500").content.decode()
    for body in (export.content.decode(), api):
        assert ("Shares in the sponsor" in body) is sees and ("Sold in 2024" in body) is sees
        assert (rules.NOT_SHOWN in body) is not sees
