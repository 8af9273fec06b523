"""`trialdesk demo`: a realistic, audited demo portfolio, loaded once, reloaded only on --reset."""

import io
from collections import Counter
from importlib import resources

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trialdesk.core import audit
from trialdesk.core.demo import DEMO_PASSWORD, PEOPLE
from trialdesk.core.models import ApiToken, AuditEvent, RoleAssignment, User
from trialdesk.core.roles import Role
from trialdesk.sites.models import Institution, SiteStatus, StudySite
from trialdesk.studies.models import Milestone, ProtocolStatus, ProtocolVersion, Study
from trialdesk.studies.selectors import portfolio, portfolio_rows
from trialdesk.subjects.models import Participant, ParticipantStatus, ScreeningEntry
from trialdesk.visits.models import ProtocolDeviation

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def zones_by_country() -> dict[str, set[str]]:
    """The tz database's own table of which zones belong to which country (tzdata's zone.tab)."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    zones: dict[str, set[str]] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _, zone = line.split("\t")[:3]
            zones.setdefault(country, set()).add(zone)
    return zones


def test_demo_loads_a_realistic_portfolio_fully_audited():
    # How long it takes is measured by benchmarks/bench_demo.py, not asserted here: a shared CI machine's
    # load would make a timed assertion flaky.
    output = run("demo")

    studies = Study.objects.all()
    assert studies.count() >= 6
    assert {"I", "II", "III", "device"} <= set(studies.values_list("phase", flat=True))
    assert {"Oncology", "Cardiology", "Neurology"} <= set(studies.values_list("therapeutic_area", flat=True))
    assert StudySite.objects.count() >= 60
    assert set(StudySite.objects.values_list("status", flat=True)) == set(SiteStatus.values)

    institutions = Institution.objects.filter(study_sites__isnull=False).distinct()
    assert len({i.country for i in institutions}) >= 10
    zones = zones_by_country()
    for institution in institutions:
        assert institution.time_zone in zones[institution.country], institution

    today = timezone.now().date()
    milestones = list(Milestone.objects.select_related("study_site__institution"))
    # No actual date after yesterday: west of UTC a site's local day may still be yesterday.
    assert all(m.actual_on is None or m.actual_on < today for m in milestones)
    assert not StudySite.objects.filter(activated_on__gte=today).exists()
    standings = [m.standing(today) for m in milestones]
    assert any(s.is_late for s in standings) and any(not s.is_late for s in standings)
    assert any(m.study_site_id for m in milestones) and any(not m.study_site_id for m in milestones)

    amendment = ProtocolVersion.objects.filter(amendment_number=1, status=ProtocolStatus.EFFECTIVE).first()
    assert amendment is not None
    assert amendment.study.protocol_versions.filter(status=ProtocolStatus.SUPERSEDED).exists()

    assert run("audit", "verify").startswith(f"audit chain intact: {AuditEvent.objects.count()} events\n")
    assert AuditEvent.objects.filter(action="studysite.status_changed").count() >= 60
    for person in PEOPLE:
        assert person.username in output
    assert DEMO_PASSWORD in output


def test_demo_gives_one_login_per_role_with_the_demo_password():
    run("demo")

    for person in PEOPLE:
        user = User.objects.get(username=person.username)
        assert user.check_password(DEMO_PASSWORD)
        assert RoleAssignment.objects.filter(user=user, role=person.role).exists(), person.username
    assert {p.role for p in PEOPLE} == set(Role.values)
    crm = User.objects.get(username="crm")
    assert Study.objects.visible_to(crm).count() == Study.objects.count()
    monitor = User.objects.get(username="monitor")
    assert 0 < StudySite.objects.visible_to(monitor).count() < StudySite.objects.count()
    investigator_site = StudySite.objects.get(role_assignments__user__username="investigator")
    assert investigator_site.principal_investigator_person.username == "investigator"
    assert investigator_site.principal_investigator == "Priya Raman"
    # Every demo site's PI is one of the people, an investigator at that site (issue 16 §4).
    assert not StudySite.objects.filter(principal_investigator_person__isnull=True).exists()
    for site in StudySite.objects.select_related("principal_investigator_person"):
        assert site.principal_investigator == site.principal_investigator_person.get_full_name()
        assert site.role_assignments.filter(user=site.principal_investigator_person).exists(), site


def test_demo_if_empty_twice_loads_once_and_plain_demo_then_refuses():
    run("demo", "--if-empty")
    counts = (Study.objects.count(), StudySite.objects.count(), AuditEvent.objects.count())

    second = run("demo", "--if-empty")

    assert "not loaded" in second and "crm" in second
    assert (Study.objects.count(), StudySite.objects.count(), AuditEvent.objects.count()) == counts
    with pytest.raises(CommandError, match="--reset"):
        run("demo")
    assert AuditEvent.objects.count() == counts[2]


def test_demo_reset_wipes_everything_and_reloads_a_fresh_chain():
    run("demo")
    counts = (Study.objects.count(), StudySite.objects.count(), AuditEvent.objects.count())
    Study.objects.filter(code="ONC-301").update(title="Changed behind the audit trail's back")
    ApiToken.objects.create(
        user=User.objects.get(username="crm"), name="x", prefix="td_x", token_hash="0" * 64
    )

    output = run("demo", "--reset")

    assert "Wiped all Trialdesk data" in output
    assert (Study.objects.count(), StudySite.objects.count(), AuditEvent.objects.count()) == counts
    assert not ApiToken.objects.exists()
    assert not Study.objects.filter(title__startswith="Changed").exists()
    first = AuditEvent.objects.order_by("id").first()
    assert first.prev_hash == audit.GENESIS_HASH
    assert run("audit", "verify").startswith(f"audit chain intact: {counts[2]} events\n")
    # The append-only triggers are back.
    for statement in ("UPDATE core_auditevent SET reason = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_demo_enrolls_participants_at_several_sites_and_the_portfolio_shows_them():
    run("demo")

    today = timezone.now().date()
    participants = Participant.objects.select_related("study_site", "screening_entry")
    enrolled_by_site = Counter(p.study_site_id for p in participants)
    assert 250 <= len(participants) <= 400
    assert len(enrolled_by_site) >= 20
    assert len(set(enrolled_by_site.values())) >= 5, "sites recruit at different rates"
    for participant in participants:
        site = participant.study_site
        assert site.activated_on <= participant.enrolled_on < today
        signed = participant.consents.get().signed_at.astimezone(site.zone).date()
        assert participant.screening_entry.screened_on == signed <= participant.enrolled_on
    assert participants.filter(status=ParticipantStatus.WITHDRAWN).exists()
    failures = ScreeningEntry.objects.filter(outcome="failed")
    assert failures.count() >= 30
    assert len(set(failures.values_list("failure_reason", flat=True))) >= 4
    assert ProtocolDeviation.objects.filter(important=True).exists()

    crm = User.objects.get(username="crm")
    rows = {row.study.code: row for row in portfolio_rows(list(portfolio(crm)), user=crm, today=today)}
    for code, row in rows.items():
        assert row.values["enrolled"] == Participant.objects.filter(study__code=code).count()
    assert sum(1 for row in rows.values() if row.values["enrolled"]) >= 5
    client = Client()
    client.force_login(crm)
    page = client.get(reverse("portfolio")).content.decode()
    busiest = max(rows.values(), key=lambda row: row.values["enrolled"])
    assert f"{busiest.values['enrolled']} / {busiest.study.planned_enrollment}" in page
    assert run("audit", "verify").startswith(f"audit chain intact: {AuditEvent.objects.count()} events\n")
