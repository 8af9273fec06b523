"""Participant pages: the screening log, enrollment, consent, the participant page and its forms, consent
versions, the diversity plan, and the study page's participant tabs."""

import datetime as dt

import pytest
from django.urls import reverse

from trialdesk.subjects import services
from trialdesk.subjects.models import Consent, ConsentApproval, ConsentVersion, DiversityTarget, Participant
from trialdesk.subjects.tests.factories import (
    SIGNED,
    make_consent_version,
    make_diversity_target,
    make_enrolled,
    make_screening_entry,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
TABS = ("participants", "recruitment", "diversity", "consent", "reconsent")


def text(response) -> str:
    return response.content.decode()


def url(name, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def study_tab(study, tab) -> str:
    return f"{url('study_detail', study_id=study.pk)}?tab={tab}"


# --- screening log ----------------------------------------------------------------------------


def test_coordinator_adds_a_person_to_the_screening_log(trial, client_for):
    log = url("screening_log", study_site_id=trial.site_a1.pk)
    response = client_for(trial.coordinator).post(
        log,
        {
            "screening_number": "S-007",
            "screened_on": "2025-04-01",
            "source": "referral",
            "outcome": "pending",
        },
    )
    assert response.status_code == 302 and response["Location"] == log
    page = text(client_for(trial.coordinator).get(log))
    assert "S-007" in page and "Referral from another physician" in page and "Add a person screened" in page


def test_screen_failure_without_its_criterion_shows_the_field_error(trial, client_for):
    response = client_for(trial.coordinator).post(
        url("screening_log", study_site_id=trial.site_a1.pk),
        {
            "screening_number": "S-008",
            "screened_on": "2025-04-01",
            "source": "clinic",
            "outcome": "failed",
            "failure_reason": "exclusion_met",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["failure_detail"] == ["Say which exclusion criterion was met."]
    assert 'id="id_failure_detail_error"' in text(response)


def test_monitor_reads_the_log_without_the_form_and_may_not_add(trial, client_for):
    make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    monitor = client_for(trial.monitor)
    page = monitor.get(url("screening_log", study_site_id=trial.site_a1.pk))
    assert "S-1" in text(page) and "Add a person screened" not in text(page) and "/enroll/" not in text(page)
    assert monitor.post(url("screening_log", study_site_id=trial.site_a1.pk), {}).status_code == 403


def test_screening_log_pages_by_htmx_partial(trial, client_for):
    response = client_for(trial.crm).get(url("screening_log", study_site_id=trial.site_a1.pk), **HTMX)
    assert "<html" not in text(response) and "screened" in text(response)


def test_coordinator_of_b1_gets_404_for_the_screening_log_of_a1(trial, client_for):
    assert (
        client_for(trial.world.coordinator)
        .get(url("screening_log", study_site_id=trial.site_a1.pk))
        .status_code
        == 404
    )


# --- consent and enrollment -------------------------------------------------------------------


def test_consent_in_the_future_is_refused_on_the_form(trial, client_for):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    next_year = trial.site_a1.local_today().replace(year=trial.site_a1.local_today().year + 1)
    response = client_for(trial.coordinator).post(
        url("screening_consent", screening_entry_id=entry.pk),
        {"consent_version": trial.v1.pk, "signed_on": next_year.isoformat(), "signed_time": "10:00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["signed_on"] == ["The consent date and time are in the future."]
    assert not Consent.objects.exists()


def test_consent_recorded_in_site_time_then_enrollment_opens_the_participant_page(trial, client_for):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    cora = client_for(trial.coordinator)
    response = cora.post(
        url("screening_consent", screening_entry_id=entry.pk),
        {
            "consent_version": trial.v1.pk,
            "signed_on": "2025-03-03",
            "signed_time": "09:30",
            "obtained_by": "Dr Nurse",
        },
    )
    assert response.status_code == 302
    assert Consent.objects.get().signed_at == dt.datetime(2025, 3, 3, 8, 30, tzinfo=dt.UTC)  # Berlin is UTC+1
    form = cora.get(url("enroll", screening_entry_id=entry.pk))
    assert "the next number of the study&#x27;s format: 101-001" in text(form)
    response = cora.post(
        url("enroll", screening_entry_id=entry.pk),
        {"enrolled_on": "2025-03-04", "sex": "female", "country": "DE"},
    )
    participant = Participant.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "participant_detail", participant_id=participant.pk
    )
    page = text(cora.get(response["Location"]))
    assert "101-001" in page and "Consent v1.0 (en)" in page and "Obtained by Dr Nurse" in page


def test_enrollment_refused_shows_the_reason_above_the_form(trial, client_for):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    response = client_for(trial.coordinator).post(
        url("enroll", screening_entry_id=entry.pk), {"enrolled_on": "2025-03-04"}
    )
    assert response.status_code == 200
    assert "no consent on the consent version currently approved" in text(response)
    assert not Participant.objects.exists()


def test_duplicate_participant_number_shows_the_field_error(trial, client_for):
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    entry = make_screening_entry(trial.site_a1, "S-2", by=trial.crm)
    services.record_consent(screening_entry=entry, consent_version=trial.v1, signed_at=SIGNED, by=trial.crm)
    response = client_for(trial.coordinator).post(
        url("enroll", screening_entry_id=entry.pk), {"enrolled_on": "2025-03-04", "number": "101-001"}
    )
    assert response.context["form"].errors["number"] == [
        "This participant number is already used in this study."
    ]


# --- the participant page ---------------------------------------------------------------------


@pytest.fixture
def participant(trial):
    return make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)


def test_participant_page_shows_an_overdue_reconsent(trial, client_for, participant):
    make_consent_version(
        trial.study_a,
        by=trial.crm,
        label="2.0",
        effective_on=dt.date(2025, 6, 1),
        approved_at=[trial.site_a1],
    )
    page = text(client_for(trial.monitor).get(url("participant_detail", participant_id=participant.pk)))
    assert "Re-consent <strong>overdue</strong>" in page and "Consent v2.0 (en)" in page
    assert "Move this participant to" not in page  # the monitor reads only


def test_status_change_from_the_participant_page(trial, client_for, participant):
    response = client_for(trial.coordinator).post(
        url("participant_status", participant_id=participant.pk),
        {
            "to": "lost_to_follow_up",
            "on": "2025-05-01",
            "reason": "No answer to 3 calls",
            "version": participant.version,
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.status, participant.end_reason) == ("lost_to_follow_up", "No answer to 3 calls")


def test_refused_status_change_names_the_allowed_moves(trial, client_for, participant):
    response = client_for(trial.coordinator).post(
        url("participant_status", participant_id=participant.pk), {"to": "completed", "reason": "r"}
    )
    assert response.status_code == 200
    assert "can move only to: on treatment" in response.context["form"].errors["to"][0]


def test_full_withdrawal_from_its_form(trial, client_for, participant):
    response = client_for(trial.coordinator).post(
        url("participant_withdrawal", participant_id=participant.pk),
        {"withdrawn_on": "2025-04-02", "scope": "full", "reason": ""},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == "withdrawn"
    page = text(client_for(trial.crm).get(url("participant_detail", participant_id=participant.pk)))
    assert "Full withdrawal of consent" in page and "Nothing continues." in page


def test_demographics_need_a_reason(trial, client_for, participant):
    edit = url("participant_demographics", participant_id=participant.pk)
    response = client_for(trial.coordinator).post(edit, {"sex": "male", "version": participant.version})
    assert response.context["form"].errors["reason"] == ["A reason for change is required."]
    response = client_for(trial.coordinator).post(
        edit, {"sex": "male", "age_at_consent": "58", "version": participant.version, "reason": "CRF page 2"}
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.sex, participant.age_at_consent) == ("male", 58)


@pytest.mark.parametrize("page", ["participant_consent", "participant_withdrawal", "participant_status"])
def test_auditor_may_not_open_the_participant_forms(trial, client_for, participant, page):
    assert client_for(trial.auditor).get(url(page, participant_id=participant.pk)).status_code == 403


# --- consent versions, approvals and the diversity plan ----------------------------------------


def test_crm_adds_a_consent_version_and_records_a_sites_approval(trial, client_for):
    crm = client_for(trial.crm)
    response = crm.post(
        url("consent_version_create", study_id=trial.study_a.pk),
        {
            "protocol_version": trial.protocol_a.pk,
            "label": "2.0",
            "language": "en",
            "effective_on": "2025-06-01",
            "optional_items": "Future research\nGenetic testing\n",
        },
    )
    version = ConsentVersion.objects.get(label="2.0")
    assert response["Location"] == url("consent_version_detail", consent_version_id=version.pk)
    assert version.optional_items == ["Future research", "Genetic testing"]
    response = crm.post(
        url("consent_approval_create", consent_version_id=version.pk),
        {"study_site": trial.site_a2.pk, "approved_on": "2025-06-15", "reference": "EC-2025-118"},
    )
    assert response.status_code == 302
    assert ConsentApproval.objects.get(consent_version=version).study_site == trial.site_a2
    page = text(crm.get(study_tab(trial.study_a, "consent")))
    assert "approved 2025-06-15" in page and "in use" in page


def test_diversity_target_is_added_and_removed_with_a_reason(trial, client_for):
    crm = client_for(trial.crm)
    response = crm.post(
        url("diversity_target_create", study_id=trial.study_a.pk),
        {"dimension": "age", "group": "65+", "target_percent": "40"},
    )
    assert response.status_code == 302
    target = DiversityTarget.objects.get()
    assert "Age at consent" in text(crm.get(study_tab(trial.study_a, "diversity")))
    delete = url("diversity_target_delete", diversity_target_id=target.pk)
    assert crm.post(delete, {}).context["form"].errors["reason"] == ["A reason for change is required."]
    assert crm.post(delete, {"reason": "plan revised"}).status_code == 302
    assert not DiversityTarget.objects.exists()


def test_coordinator_may_not_change_the_diversity_plan(trial, client_for):
    target = make_diversity_target(trial.study_a, by=trial.crm)
    edit = url("diversity_target_edit", diversity_target_id=target.pk)
    assert client_for(trial.coordinator).get(edit).status_code == 403


# --- study page tabs --------------------------------------------------------------------------


def test_recruitment_tab_shows_the_funnel_and_ranked_reasons(trial, client_for):
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    make_screening_entry(
        trial.site_a1,
        "S-2",
        by=trial.crm,
        outcome="failed",
        failure_reason="inclusion_not_met",
        failure_detail="I4 BMI",
    )
    page = text(client_for(trial.crm).get(study_tab(trial.study_a, "recruitment")))
    assert "Inclusion criterion not met" in page and "I4 BMI" in page and "Screening log" in page


def test_reconsent_tab_highlights_the_overdue(trial, client_for):
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    make_consent_version(
        trial.study_a,
        by=trial.crm,
        label="2.0",
        effective_on=dt.date(2025, 6, 1),
        approved_at=[trial.site_a1],
    )
    page = text(client_for(trial.crm).get(study_tab(trial.study_a, "reconsent")))
    assert '<tr class="late">' in page and "1 overdue" in page and "101-001" in page


def test_participants_tab_filters_by_status(trial, client_for):
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    crm = client_for(trial.crm)
    assert "101-001" in text(crm.get(study_tab(trial.study_a, "participants") + "&status=enrolled"))
    assert "101-001" not in text(crm.get(study_tab(trial.study_a, "participants") + "&status=withdrawn"))


def test_overview_shows_the_participant_figures(trial, client_for):
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    page = text(client_for(trial.crm).get(study_tab(trial.study_a, "overview")))
    assert "Participants enrolled" in page and "1 / 120" in page


@pytest.mark.parametrize("tab", TABS)
def test_participant_tabs_are_served_to_htmx_as_partials(trial, client_for, tab):
    response = client_for(trial.crm).get(study_tab(trial.study_a, tab), **HTMX)
    assert response.status_code == 200 and "<html" not in text(response)


@pytest.mark.parametrize("tab", TABS)
def test_participant_tabs_take_the_same_number_of_queries_for_2_and_30_participants(
    trial, client_for, tab, django_assert_max_num_queries
):
    from trialdesk.studies import services as study_services

    study_services.update_study(
        study=trial.study_a, changes={"allow_over_enrollment": True}, by=trial.crm, reason="r"
    )
    crm = client_for(trial.crm)
    for n in range(2):
        make_enrolled(trial.site_a1, f"S-{n}", by=trial.crm, version=trial.v1, demographics={"sex": "female"})
    make_consent_version(
        trial.study_a,
        by=trial.crm,
        label="2.0",
        effective_on=dt.date(2025, 6, 1),
        approved_at=[trial.site_a1],
    )
    make_diversity_target(trial.study_a, by=trial.crm)
    with django_assert_max_num_queries(30) as few:
        assert crm.get(study_tab(trial.study_a, tab)).status_code == 200
    for n in range(2, 30):
        make_enrolled(trial.site_a1, f"S-{n}", by=trial.crm, version=trial.v1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert crm.get(study_tab(trial.study_a, tab)).status_code == 200
