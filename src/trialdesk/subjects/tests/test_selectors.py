"""Participant reads: re-consent due dates and the worklist, the recruitment funnel, the diversity plan
against enrolled participants, and the portfolio's enrolled counts; scoped to what each person sees."""

import datetime as dt

import pytest

from tests.factories import make_participant
from trialdesk.studies import selectors as study_selectors
from trialdesk.subjects import selectors, services
from trialdesk.subjects.tests.factories import (
    make_consent_version,
    make_diversity_target,
    make_enrolled,
    make_screening_entry,
)
from trialdesk.visits.tests.factories import add_schedule, make_effective

D = dt.date


def new_version(trial, *, sites=None, approved_on=D(2025, 6, 10), language="en", label="2.0"):
    return make_consent_version(
        trial.study_a,
        by=trial.crm,
        label=label,
        language=language,
        effective_on=D(2025, 6, 1),
        approved_at=sites if sites is not None else [trial.site_a1],
        approved_on=approved_on,
    )


# --- re-consent -------------------------------------------------------------------------------


def test_no_reconsent_while_the_latest_consent_is_on_the_current_version(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    assert selectors.reconsent_due(participant, on=D(2025, 7, 1)) is None


def test_reconsent_is_due_within_the_window_of_a_newly_approved_version(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    v2 = new_version(trial)
    item = selectors.reconsent_due(participant, on=D(2025, 7, 10))
    assert (item.participant, item.consent_version, item.signed_version) == (participant, v2, trial.v1)
    assert (item.approved_on, item.due_on, item.is_overdue) == (D(2025, 6, 10), D(2025, 7, 10), False)
    assert selectors.reconsent_due(participant, on=D(2025, 7, 11)).is_overdue


def test_reconsent_is_due_by_the_next_scheduled_visit_when_it_comes_first(trial):
    # Enrolled 2025-03-04: a visit on 2025-05-03, before v2.0 comes into use (2025-06-10), does not
    # count; the one on 2025-06-20, before the 30-day window ends, does.
    make_effective(trial.protocol_a, by=trial.admin)
    add_schedule(trial.protocol_a, by=trial.admin, rows=[
        ("M2", "Month 2", "treatment", "enrollment", 60, 3, 3, ["on_site"]),
        ("M4", "Month 4", "treatment", "enrollment", 108, 3, 3, ["on_site"]),
    ])  # fmt: skip
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    new_version(trial)
    item = selectors.reconsent_due(participant, on=D(2025, 6, 21))
    assert (item.due_on, item.is_overdue) == (D(2025, 6, 20), True)


def test_study_window_setting_decides_the_due_date(trial):
    from trialdesk.studies import services as study_services

    study_services.update_study(
        study=trial.study_a, changes={"reconsent_window_days": 7}, by=trial.crm, reason="IRB"
    )
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    new_version(trial)
    participant.study.refresh_from_db()
    assert selectors.reconsent_due(participant, on=D(2025, 6, 12)).due_on == D(2025, 6, 17)


def test_reconsent_ends_when_the_participant_consents_on_the_new_version(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    v2 = new_version(trial)
    services.record_consent(
        participant=participant,
        consent_version=v2,
        signed_at=dt.datetime(2025, 6, 15, 9, tzinfo=dt.UTC),
        by=trial.crm,
    )
    assert selectors.reconsent_due(participant, on=D(2025, 7, 1)) is None


def test_a_version_approved_at_another_site_or_in_another_language_asks_nothing(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    new_version(trial, sites=[trial.site_a2])
    new_version(trial, language="de", label="1.0-DE")
    assert selectors.reconsent_due(participant, on=D(2025, 7, 1)) is None


def test_a_participant_who_left_needs_no_reconsent(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    services.withdraw_consent(participant=participant, withdrawn_on=D(2025, 5, 1), scope="full", by=trial.crm)
    new_version(trial)
    participant.refresh_from_db()
    assert selectors.reconsent_due(participant, on=D(2025, 7, 1)) is None
    assert selectors.reconsent_worklist(trial.crm, trial.study_a) == []


def test_worklist_lists_overdue_first_then_by_due_date(trial):
    early = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    tokyo = make_enrolled(trial.site_a2, "S-2", by=trial.crm, version=trial.v1)
    v2 = new_version(trial, sites=[trial.site_a1])
    # Tokyo approves it only today: not overdue there yet.
    today_tokyo = trial.site_a2.local_today()
    services.record_consent_approval(
        consent_version=v2, study_site=trial.site_a2, approved_on=today_tokyo, by=trial.crm
    )
    items = selectors.reconsent_worklist(trial.crm, trial.study_a)
    assert [(i.participant, i.is_overdue) for i in items] == [(early, True), (tokyo, False)]
    assert items[1].due_on == today_tokyo + dt.timedelta(days=30)


def test_worklist_shows_each_person_only_their_sites(trial):
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    make_enrolled(trial.site_a2, "S-2", by=trial.crm, version=trial.v1)
    new_version(trial, sites=[trial.site_a1, trial.site_a2])
    assert len(selectors.reconsent_worklist(trial.crm, trial.study_a)) == 2
    assert [i.participant.number for i in selectors.reconsent_worklist(trial.monitor, trial.study_a)] == [
        "101-001"
    ]
    assert selectors.reconsent_worklist(trial.world.coordinator, trial.study_a) == []


def test_worklist_takes_the_same_number_of_queries_for_2_and_40_participants(
    trial, django_assert_max_num_queries
):
    from trialdesk.studies import services as study_services

    study_services.update_study(
        study=trial.study_a, changes={"allow_over_enrollment": True}, by=trial.crm, reason="r"
    )
    for n in range(2):
        make_enrolled(trial.site_a1, f"S-{n}", by=trial.crm, version=trial.v1)
    new_version(trial, sites=[trial.site_a1, trial.site_a2])
    with django_assert_max_num_queries(8) as few:
        assert len(selectors.reconsent_worklist(trial.crm, trial.study_a)) == 2
    for n in range(2, 40):
        make_enrolled(trial.site_a2 if n % 2 else trial.site_a1, f"S-{n}", by=trial.crm, version=trial.v1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(selectors.reconsent_worklist(trial.crm, trial.study_a)) == 40


def test_next_visits_come_from_the_visits_app_through_the_registry(trial):
    from trialdesk.core import extensions
    from trialdesk.subjects.selectors import reconsent
    from trialdesk.visits.selectors import next_scheduled_visits_on

    assert next_scheduled_visits_on in extensions.next_visit_dates
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    # The study has no schedule of activities, so the participant has no visit to wait for.
    assert reconsent._next_visits([(participant, D(2025, 6, 10))]) == {participant.pk: None}


# --- recruitment ------------------------------------------------------------------------------


@pytest.fixture
def screened(trial):
    """Site A1: 2 enrolled, 3 screen failures, 1 in screening; site A2 (Japan): 1 enrolled, 1 failure."""
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    make_enrolled(trial.site_a1, "S-2", by=trial.crm, version=trial.v1)
    make_enrolled(trial.site_a2, "S-1", by=trial.crm, version=trial.v1)
    fail = dict(by=trial.crm, outcome="failed")
    make_screening_entry(
        trial.site_a1, "S-3", failure_reason="inclusion_not_met", failure_detail="I3 HbA1c", **fail
    )
    make_screening_entry(
        trial.site_a1, "S-4", failure_reason="inclusion_not_met", failure_detail="I3 HbA1c ", **fail
    )
    make_screening_entry(trial.site_a1, "S-5", failure_reason="consent_declined", **fail)
    make_screening_entry(trial.site_a1, "S-6", by=trial.crm, outcome="pending")
    make_screening_entry(
        trial.site_a2, "S-2", failure_reason="exclusion_met", failure_detail="E2 eGFR < 30", **fail
    )
    return trial


def test_funnel_counts_screened_failed_and_enrolled_per_site_country_and_study(screened):
    funnel = selectors.recruitment_funnel(screened.crm, screened.study_a)
    by_site = {site.site_number: row for site, row in funnel.sites}
    assert (by_site["101"].screened, by_site["101"].screen_failed, by_site["101"].in_screening) == (6, 3, 1)
    assert (by_site["101"].enrolled, by_site["101"].screen_failure_percent) == (2, 60.0)
    assert [(c.label, c.screened, c.enrolled) for c in funnel.countries] == [
        ("DE · Germany", 6, 2),
        ("JP · Japan", 2, 1),
    ]
    study = funnel.study
    assert (study.screened, study.screen_failed, study.enrolled, study.target) == (8, 4, 3, 120)


def test_screen_failure_reasons_are_ranked_with_the_criteria_that_failed(screened):
    funnel = selectors.recruitment_funnel(screened.crm, screened.study_a)
    assert [(r.label, r.count, r.percent) for r in funnel.reasons] == [
        ("Inclusion criterion not met", 2, 50.0),
        ("Consent declined", 1, 25.0),
        ("Exclusion criterion met", 1, 25.0),
    ]
    assert [(r.detail, r.count) for r in funnel.criteria] == [("I3 HbA1c", 2), ("E2 eGFR < 30", 1)]


def test_the_monitor_of_a1_sees_only_a1_in_the_funnel(screened):
    funnel = selectors.recruitment_funnel(screened.monitor, screened.study_a)
    assert [site.site_number for site, _ in funnel.sites] == ["101"]
    assert (funnel.study.screened, funnel.study.enrolled) == (6, 2)
    assert "E2 eGFR < 30" not in [r.detail for r in funnel.criteria]


def test_overview_numbers_and_the_portfolio_count_participants_past_screening(screened):
    make_participant(screened.site_a1, "101-900", by=screened.crm, status="screening", enrolled_on=None)
    numbers = selectors.recruitment_numbers(screened.crm, screened.study_a)
    assert numbers == {"screened": 8, "screen_failed": 4, "enrolled": 3, "active": 3}
    rows = study_selectors.portfolio_rows(
        list(study_selectors.portfolio(screened.admin)), user=screened.admin
    )
    assert {row.study.code: row.values["enrolled"] for row in rows} == {"ONC-A": 3, "CARD-B": 0}


def test_next_participant_number_previews_the_next_enrollment(screened):
    assert selectors.next_participant_number(screened.study_a, screened.site_a1) == ("101-003", 3)
    assert selectors.next_participant_number(screened.study_a, screened.site_a2) == ("102-002", 2)


# --- diversity --------------------------------------------------------------------------------


def test_diversity_compares_enrolled_participants_with_the_plan(trial):
    people = [
        {"sex": "female", "age_at_consent": 70, "race": "black_or_african_american", "country": "US"},
        {"sex": "female", "age_at_consent": 50},
        {"sex": "male", "age_at_consent": 66},
        {},
    ]
    for n, demographics in enumerate(people):
        make_enrolled(trial.site_a1, f"S-{n}", by=trial.crm, version=trial.v1, demographics=demographics)
    make_diversity_target(trial.study_a, by=trial.crm, group="female", percent="50")
    make_diversity_target(trial.study_a, by=trial.crm, dimension="age", group="65+", percent="60")
    make_diversity_target(
        trial.study_a, by=trial.crm, dimension="race", group="black_or_african_american", percent="30"
    )
    comparison = selectors.diversity_comparison(trial.crm, trial.study_a)
    assert comparison.enrolled == 4
    rows = {(r.target.dimension, r.target.group): r for r in comparison.rows}
    assert (
        rows[("sex", "female")].count,
        rows[("sex", "female")].percent,
        rows[("sex", "female")].below_target,
    ) == (
        2,
        50.0,
        False,
    )
    assert (rows[("age", "65+")].percent, rows[("age", "65+")].gap, rows[("age", "65+")].below_target) == (
        50.0,
        -10.0,
        True,
    )
    assert rows[("race", "black_or_african_american")].percent == 25.0
    sex = next(b for b in comparison.breakdowns if b.dimension == "Sex")
    assert (sex.groups, sex.not_reported) == ([("Female", 2, 50.0), ("Male", 1, 25.0)], 1)
    country = next(b for b in comparison.breakdowns if b.dimension == "Country")
    assert country.groups == [("United States", 1, 25.0)]


def test_diversity_with_nobody_enrolled_has_no_percentages(trial):
    make_diversity_target(trial.study_a, by=trial.crm)
    (row,) = selectors.diversity_comparison(trial.crm, trial.study_a).rows
    assert (row.count, row.percent, row.gap, row.below_target) == (0, None, None, False)
