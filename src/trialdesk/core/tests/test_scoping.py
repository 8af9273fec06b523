"""Scoping read as sentences: who sees which studies, sites and milestones."""

from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Milestone, Study


def codes(queryset):
    return sorted(s.code for s in queryset)


def test_crm_sees_only_their_study(world):
    assert codes(Study.objects.visible_to(world.crm)) == ["ONC-A"]


def test_monitor_on_site_a1_sees_study_a_but_only_site_a1(world):
    assert codes(Study.objects.visible_to(world.monitor)) == ["ONC-A"]
    assert list(StudySite.objects.visible_to(world.monitor)) == [world.site_a1]


def test_monitor_on_site_a1_does_not_see_site_a2_milestones(world):
    visible = set(Milestone.objects.visible_to(world.monitor))
    assert world.milestone_a in visible
    assert world.site_milestone_a2 not in visible


def test_coordinator_of_site_b1_sees_nothing_of_study_a(world):
    assert codes(Study.objects.visible_to(world.coordinator)) == ["CARD-B"]
    assert not StudySite.objects.visible_to(world.coordinator).filter(study=world.study_a).exists()


def test_outsider_sees_nothing(world):
    assert not Study.objects.visible_to(world.outsider).exists()
    assert not StudySite.objects.visible_to(world.outsider).exists()
    assert not Milestone.objects.visible_to(world.outsider).exists()


def test_administrator_sees_everything(world):
    assert codes(Study.objects.visible_to(world.admin)) == ["CARD-B", "ONC-A"]


def test_monitor_sees_study_wide_history_but_not_other_sites_changes(world):
    from trialdesk.core.models import AuditEvent

    seen = AuditEvent.objects.visible_to(world.monitor)
    assert seen.filter(object_type="studies.study", study_id=world.study_a.pk).exists()
    assert seen.filter(study_site_id=world.site_a1.pk).exists()
    assert not seen.filter(study_site_id=world.site_a2.pk).exists()
    assert not seen.filter(study_id=world.study_b.pk).exists()


def test_sponsor_viewer_sees_the_study_but_no_participant(world):
    from tests.factories import make_participant
    from trialdesk.subjects.models import Participant

    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    assert codes(Study.objects.visible_to(world.sponsor_viewer)) == ["ONC-A"]
    assert not Participant.objects.visible_to(world.sponsor_viewer).exists()
    assert participant in Participant.objects.visible_to(world.auditor)


def test_forgetting_role_facts_reaches_through_the_requests_lazy_user(world):
    from django.utils.functional import SimpleLazyObject

    from trialdesk.core.scoping import forget_role_facts, role_facts

    lazy = SimpleLazyObject(lambda: world.crm)
    before = role_facts(lazy)
    forget_role_facts(lazy)
    assert role_facts(lazy) is not before
    assert role_facts(world.crm) is role_facts(lazy)
