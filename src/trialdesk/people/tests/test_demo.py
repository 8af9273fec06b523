"""The people part of the demo: delegation logs at three sites, training flags, an overdue disclosure."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from trialdesk.core.models import User
from trialdesk.people import selectors
from trialdesk.people.management.commands.people import study_reminders
from trialdesk.people.models import DelegationEntry
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

pytestmark = pytest.mark.django_db


def test_demo_has_logs_flags_and_an_overdue_disclosure():
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    sites = {(e.study_site.study.code, e.study_site.site_number) for e in DelegationEntry.objects.all()}
    assert sites == {("CARD-201", "101"), ("CARD-201", "102"), ("ONC-301", "102")}
    crm = User.objects.get(username="crm")
    card = Study.objects.get(code="CARD-201")
    flagged = selectors.training_flags_by_site(StudySite.objects.filter(study=card), card)
    assert any(
        "not trained on protocol" in gap for found in flagged.values() for _, gaps in found for gap in gaps
    )
    onc = Study.objects.get(code="ONC-301")
    overdue = [(d["investigator"], d["occasion"]) for d in study_reminders(onc)["disclosures"]]
    assert ("onc102_subi", "initial") in overdue
    assert DelegationEntry.objects.filter(reauthenticated=True, meaning="delegation approved").exists()
    assert DelegationEntry.objects.filter(signed_at__isnull=True).exists()
    client = Client()
    client.force_login(crm)
    for study in (card, onc):
        response = client.get(f"/studies/{study.pk}/?tab=staff")
        assert response.status_code == 200 and "Delegation of authority logs" in response.content.decode()
