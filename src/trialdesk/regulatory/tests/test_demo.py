"""The regulatory demo: committees, approvals with one lapsed, and ONC-102's amendment at different points."""

import io

import pytest
from django.core.management import call_command

from trialdesk.regulatory import selectors
from trialdesk.regulatory.models import AmendmentImplementation, EthicsCommittee
from trialdesk.sites.models import StudySite

pytestmark = pytest.mark.django_db


def test_demo_has_an_amendment_with_sites_at_different_points():
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert EthicsCommittee.objects.count() >= 10
    implementation = AmendmentImplementation.objects.get(study__code="ONC-102")
    sites = list(selectors.affected_sites(implementation.study))
    statuses = selectors.amendment_status(implementation, sites)
    approvals = [s.state_of("ec_approval") for s in statuses]
    assert approvals[:4] == ["done", "done", "pending", "blocked"]
    first = statuses[0]
    assert first.state_of("consent_approval") == "done" and first.state_of("schedule") == "done"
    assert first.progress[0] > statuses[1].progress[0] > statuses[3].progress[0]
    blocked = [
        s
        for s in StudySite.objects.filter(study__code="ONC-102")
        if selectors.enrollment_block(s, s.local_today())
    ]
    assert len(blocked) == 1
