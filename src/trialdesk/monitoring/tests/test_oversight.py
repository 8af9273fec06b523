"""The oversight list reads the risk tiers from the KRI flags stored when the KRIs were last scored, says
as of when, sorts and pages every site the reader oversees, and costs the same number of queries for 2
sites or 8."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_site
from trialdesk.monitoring import services
from trialdesk.monitoring.models import SiteTierSnapshot
from trialdesk.monitoring.selectors.due import due_visits
from trialdesk.monitoring.selectors.tiers import stored_tiers
from trialdesk.monitoring.services.tiers import store_tier_flags, studies_without_tier_flags
from trialdesk.monitoring.tests import factories as f
from trialdesk.sites.models import StudySite
from trialdesk.statistics import kris

pytestmark = pytest.mark.django_db


def red_flag_at(site, key="ae_rate"):
    """KRI results (as statistics.kris.all_site_kris gives them) with one red flag at `site`."""
    definition = kris.definition(key)
    row = kris.SiteKri(site, 9, 100, 0.09, 3.2, 2)
    return [kris.KriResult(definition, [row], 0.02, 1.0, 2, None)]


def raise_major_issue(world, site):
    return services.raise_issue(
        study=world.study_a,
        study_site=site,
        by=world.crm,
        title="Late SAE report",
        category="safety",
        severity="major",
        owner=world.crm,
        due_on=dt.date(2031, 1, 1),
    )


def test_storing_the_flags_keeps_each_sites_red_and_amber_kris_with_the_time(world):
    f.plan(world)
    assert [s.code for s in studies_without_tier_flags([world.study_a.pk, world.study_b.pk])] == ["ONC-A"]
    count = store_tier_flags(study=world.study_a, by=world.crm, kri_results=red_flag_at(world.site_a1))
    assert count == 2 and studies_without_tier_flags([world.study_a.pk]) == []
    a1 = SiteTierSnapshot.objects.get(study_site=world.site_a1)
    assert a1.flags == [{"kri": "ae_rate", "name": kris.definition("ae_rate").name, "flag": 2, "score": 3.2}]
    assert a1.scored_by == world.crm and timezone.now() - a1.scored_at < dt.timedelta(minutes=1)
    assert SiteTierSnapshot.objects.get(study_site=world.site_a2).flags == []


def test_only_the_crm_and_the_studys_monitors_store_the_flags(world):
    for person in (world.outsider, world.sponsor_viewer, world.auditor):
        with pytest.raises(PermissionDenied):
            store_tier_flags(study=world.study_a, by=person, kri_results=[])
    assert store_tier_flags(study=world.study_a, by=world.monitor, kri_results=[]) == 2


def test_a_stored_tier_reads_open_issues_and_the_crms_setting_as_they_are_now(world):
    f.plan(world)
    store_tier_flags(study=world.study_a, by=None, kri_results=red_flag_at(world.site_a1))
    sites = StudySite.objects.filter(study=world.study_a)
    tiers = stored_tiers(sites, [world.study_a.pk])
    assert (tiers[world.site_a1.pk].tier, tiers[world.site_a1.pk].reading.points) == ("medium", 2)
    raise_major_issue(world, world.site_a1)  # after the scoring: counts at once
    assert stored_tiers(sites, [world.study_a.pk])[world.site_a1.pk].tier == "high"
    f.set_up(world, site=world.site_a2, cra=None, tier_override="high")
    a2 = stored_tiers(sites, [world.study_a.pk])[world.site_a2.pk]
    assert a2.tier == "high" and a2.reading.set_by_hand


def test_due_visits_are_the_same_for_every_site_of_a_study_or_some_of_them(world):
    """Rows of whole studies are read by study (of_sites), of some sites by site: the same answer."""
    f.plan(world)
    for site in (world.site_a1, world.site_a2):
        f.enrolling(world, site)
        f.enrolled(world, site, f"{site.site_number}-001")
    f.set_up(world)
    sites = list(StudySite.objects.filter(study=world.study_a).select_related("study", "institution"))
    every = [d.as_dict() for d in due_visits(sites, as_of=dt.date(2025, 6, 1))]
    one = [d.as_dict() for d in due_visits(sites[:1], as_of=dt.date(2025, 6, 1))]
    assert one and one == [d for d in every if d["site"] == sites[0].site_number]


@pytest.fixture
def overseen(world):
    """Study A with a plan, its two sites monitored, A1 with a red flag stored a day ago."""
    f.plan(world)
    f.set_up(world)
    for site in (world.site_a1, world.site_a2):
        f.enrolling(world, site)
    store_tier_flags(study=world.study_a, by=None, kri_results=red_flag_at(world.site_a1))
    SiteTierSnapshot.objects.update(scored_at=timezone.now() - dt.timedelta(hours=30))
    return world


def test_the_page_shows_the_stored_tier_and_as_of_when_and_says_when_it_is_stale(overseen, client_for):
    page = client_for(overseen.crm).get(f"/monitoring/oversight/?study={overseen.study_a.pk}")
    body = page.content.decode()
    rows = list(page.context["page"])
    assert [r.site.pk for r in rows] == [overseen.site_a1.pk, overseen.site_a2.pk]
    assert rows[0].tier == "medium" and rows[0].tier_scored_at is not None
    assert "Risk tiers from the KRI flags scored at" in body and "stale" in body
    assert "Score the KRIs now" in body


def test_the_crm_scores_the_kris_from_the_page_and_the_tiers_are_new(overseen, client_for):
    client = client_for(overseen.crm)
    answer = client.post("/monitoring/oversight/score-kris/", {"study": overseen.study_a.pk, "sort": "tier"})
    assert answer.status_code == 302 and "sort=tier" in answer.url
    snapshot = SiteTierSnapshot.objects.get(study_site=overseen.site_a1)
    assert snapshot.scored_by == overseen.crm and timezone.now() - snapshot.scored_at < dt.timedelta(
        minutes=1
    )
    assert "stale" not in client.get(answer.url).content.decode()


def test_scoring_from_the_page_is_refused_to_readers_and_unknown_studies(overseen, client_for):
    viewer = client_for(overseen.sponsor_viewer)
    assert viewer.post("/monitoring/oversight/score-kris/", {"study": overseen.study_a.pk}).status_code == 403
    assert "Score the KRIs now" not in viewer.get("/monitoring/oversight/").content.decode()
    crm = client_for(overseen.crm)
    assert crm.post("/monitoring/oversight/score-kris/", {"study": overseen.study_b.pk}).status_code == 404
    assert crm.post("/monitoring/oversight/score-kris/", {"study": "x"}).status_code == 404
    assert crm.get("/monitoring/oversight/score-kris/").status_code == 405


def test_a_study_never_scored_is_scored_on_its_first_view(world, client_for):
    f.plan(world)
    assert not SiteTierSnapshot.objects.exists()
    assert client_for(world.crm).get("/monitoring/oversight/").status_code == 200
    assert SiteTierSnapshot.objects.filter(study=world.study_a).count() == 2


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("site", "site_a1"),
        ("-site", "site_a2"),
        ("tier", "site_a1"),
        ("-tier", "site_a2"),
        ("cra", "site_a1"),
        ("open_items", "site_a2"),
        ("next_due", "site_a1"),
        ("overdue", "site_a1"),
        ("nonsense", "site_a1"),
    ],
)
def test_the_list_sorts_every_site_before_paging(overseen, client_for, settings, clock, sort, first):
    # At noon UTC both sites (Europe and Tokyo) are on the same day, so equally overdue; later in the UTC
    # day Tokyo is a day ahead and its site rightly a day more overdue.
    clock.move_to(dt.datetime.combine(clock.today(), dt.time(12), tzinfo=dt.UTC))
    settings.PAGE_SIZE = 1
    services.raise_action_item(
        study_site=overseen.site_a2,
        by=overseen.crm,
        description="File the CV",
        owner=overseen.crm,
        due_on=dt.date(2031, 1, 1),
    )
    page = client_for(overseen.crm).get(f"/monitoring/oversight/?study=all&sort={sort}")
    assert page.status_code == 200 and page.context["page"].paginator.num_pages == 2
    assert page.context["page"][0].site == getattr(overseen, first)


def test_the_view_by_cra_sums_every_site(overseen, client_for):
    page = client_for(overseen.crm).get("/monitoring/oversight/?by=cra")
    assert [(row.label, row.sites) for row in page.context["page"]] == [
        ("monitor_mia", 1),
        ("no CRA assigned", 1),
    ]


def test_site_staff_see_no_oversight_rows(overseen, client_for):
    coordinator = f.coordinator_at(overseen, overseen.site_a1)
    page = client_for(coordinator).get("/monitoring/oversight/")
    assert page.status_code == 200 and page.context["page"].paginator.count == 0


def many_sites(world, count):
    for n in range(count):
        site = make_site(world.study_a, f"{300 + n}", by=world.admin)
        f.set_up(world, site=site, cra=None)


@pytest.mark.parametrize("query", ["", "&sort=tier", "&sort=next_due", "&sort=open_items", "&by=cra"])
def test_the_page_makes_as_many_queries_for_8_sites_as_for_2(overseen, client_for, query, settings):
    settings.PAGE_SIZE = 2
    client = client_for(overseen.crm)
    url = f"/monitoring/oversight/?study=all{query}"
    client.get(url)  # any study never scored is scored once, here
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    many_sites(overseen, 6)
    store_tier_flags(study=overseen.study_a, by=None, kri_results=[])
    with CaptureQueriesContext(connection) as more:
        page = client.get(url)
    assert page.context["site_count"] == 8
    assert len(more) == len(few) and len(few) <= 50, [q["sql"] for q in more.captured_queries]


def test_rbqm_tiers_scores_and_prints_each_sites_tier_with_its_reasons(world):
    f.plan(world)
    out, err = io.StringIO(), io.StringIO()
    call_command("rbqm", "tiers", "--json", stdout=out, stderr=err)
    rows = json.loads(out.getvalue())
    assert [(r["study"], r["site"], r["tier"]) for r in rows] == [
        ("ONC-A", "101", "low"),
        ("ONC-A", "102", "low"),
    ]
    assert set(rows[0]) == {"study", "site", "tier", "points", "reasons", "kris_scored_at"}
    assert "ONC-A: KRIs scored" in err.getvalue()


def test_rbqm_signals_stores_the_flags_it_scored(world):
    f.plan(world)
    call_command("rbqm", "signals", "--study", "ONC-A", "--json", stdout=io.StringIO(), stderr=io.StringIO())
    assert SiteTierSnapshot.objects.filter(study=world.study_a, scored_by=None).count() == 2


def test_the_site_page_explains_the_tier_scored_now_and_says_what_the_list_shows(overseen, client_for):
    page = client_for(overseen.crm).get(f"/study-sites/{overseen.site_a1.pk}/").content.decode()
    assert "site-tier-as-of" in page and "the oversight list shows medium" in page
