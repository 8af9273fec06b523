"""The portfolio's health column: stored by `trialdesk health refresh`, shown and sorted worst first,
the subject-blind colour for sponsor viewers, and every registered sortable column sorting."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trialdesk.core.extensions import AMBER, RED
from trialdesk.studies import stored_health
from trialdesk.studies.models import StoredHealth


def test_refresh_stores_each_studys_colours(world):
    assert stored_health.refresh() == 2
    a = StoredHealth.objects.get(study=world.study_a)
    assert a.overall == RED  # its site milestone is months late
    assert a.rank == 0
    timeline = next(d for d in a.dimensions if d["name"] == "timeline")
    assert timeline["status"] == RED and timeline["status_subject_blind"] == RED
    # Subject-blind readers get the colour with the subject-level signals unknown: never green.
    assert a.overall_subject_blind in (RED, AMBER)


def test_the_command_refreshes_one_study_or_refuses_an_unknown_code(world, capsys):
    call_command("health", "refresh", "--study", "ONC-A")
    assert "Stored the health of 1 study." in capsys.readouterr().out
    assert list(StoredHealth.objects.values_list("study__code", flat=True)) == ["ONC-A"]
    with pytest.raises(CommandError, match="--study: no study has the protocol number 'NOPE'"):
        call_command("health", "refresh", "--study", "NOPE")


def test_portfolio_shows_and_sorts_by_health_worst_first_never_computed_last(world, client_for):
    stored_health.refresh([world.study_a])
    admin = client_for(world.admin)
    body = admin.get("/api/v1/studies?sort=health").json()
    assert [(item["code"], item["health"]) for item in body["items"]] == [("ONC-A", RED), ("CARD-B", None)]
    body = admin.get("/api/v1/studies?sort=-health").json()
    assert [item["code"] for item in body["items"]] == ["ONC-A", "CARD-B"]  # never computed: last either way
    page = admin.get("/?sort=health").content.decode()
    assert "health-red" in page and "not yet" in page and "sort=-health" in page


def test_sponsor_viewer_gets_the_subject_blind_colour(world, client_for):
    stored_health.refresh([world.study_a])
    StoredHealth.objects.filter(study=world.study_a).update(
        overall="green", rank=2, overall_subject_blind="amber", rank_subject_blind=1
    )
    sponsor = client_for(world.sponsor_viewer).get("/api/v1/studies").json()["items"]
    crm = client_for(world.crm).get("/api/v1/studies").json()["items"]
    assert sponsor[0]["health"] == AMBER and crm[0]["health"] == "green"


def test_registered_sortable_columns_sort_the_portfolio(world, client_for):
    admin = client_for(world.admin)

    def codes(sort):
        answer = admin.get(f"/api/v1/studies?sort={sort}")
        assert answer.status_code == 200, (sort, answer.content)
        return [item["code"] for item in answer.json()["items"]]

    # ONC-A has two sites, CARD-B one.
    assert codes("sites_planned") == ["CARD-B", "ONC-A"]
    assert codes("-sites_planned") == ["ONC-A", "CARD-B"]
    assert codes("enrolled") == codes("-enrolled") == ["ONC-A", "CARD-B"]  # none enrolled: by id
    assert admin.get("/api/v1/studies?sort=nothing").status_code == 422


def test_the_forecast_column_sorts_by_the_latest_stored_probability(world, client_for):
    import datetime as dt

    from django.utils import timezone

    from trialdesk.statistics.models import EnrollmentForecast

    def store(study, probability, minutes_ago):
        EnrollmentForecast.objects.create(
            study=study,
            computed_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
            as_of=dt.date(2026, 1, 1),
            state="forecast",
            target=10,
            enrolled=1,
            probability_by_planned_end=probability,
            sims=100,
            seed=1,
            inputs_digest="x",
        )

    store(world.study_a, 0.1, minutes_ago=60)
    store(world.study_a, 0.9, minutes_ago=1)  # the latest counts
    store(world.study_b, 0.5, minutes_ago=1)
    admin = client_for(world.admin)

    def codes(sort):
        return [item["code"] for item in admin.get(f"/api/v1/studies?sort={sort}").json()["items"]]

    assert codes("forecast_probability") == ["CARD-B", "ONC-A"]
    assert codes("-forecast_probability") == ["ONC-A", "CARD-B"]
    assert "sort=forecast_probability" in admin.get("/").content.decode()


def test_the_crm_moves_the_enrollment_thresholds(world, client_for):
    rows = {
        row["key"]: row
        for row in client_for(world.crm).get(f"/api/v1/studies/{world.study_a.pk}/health/thresholds").json()
    }
    assert rows["enrollment.green_from_percent"]["value"] == 80
    assert rows["enrollment.amber_from_percent"]["value"] == 50
