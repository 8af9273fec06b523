"""Study pages: the portfolio, the study's tabs, and the forms that set a study up."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_site, make_study
from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.studies import services
from trialdesk.studies.models import Milestone, ProtocolVersion, Study

HTMX = {"HTTP_HX_REQUEST": "true"}


def study_url(study, tab=None):
    url = reverse("study_detail", kwargs={"study_id": study.pk})
    return f"{url}?tab={tab}" if tab else url


def text(response) -> str:
    return response.content.decode()


# --- portfolio ---------------------------------------------------------------------------------


def test_portfolio_for_crm_lists_their_study_with_its_figures(world, client_for):
    response = client_for(world.crm).get(reverse("portfolio"))
    assert response.status_code == 200
    body = text(response)
    assert "ONC-A" in body and "CARD-B" not in body
    assert "DE, JP" in body  # countries of its two sites
    assert "0 / 120" in body  # no participants enrolled yet
    assert "First participant in" in body
    assert "New study" in body


def test_portfolio_for_auditor_has_no_new_study_button(world, client_for):
    body = text(client_for(world.auditor).get(reverse("portfolio")))
    assert "ONC-A" in body and "New study" not in body


def test_portfolio_flags_a_late_next_milestone(world, client_for):
    # The world's study milestone has its baseline in the past and no actual date: it is late.
    body = text(client_for(world.crm).get(reverse("portfolio")))
    assert "late-flag" in body


def test_portfolio_filter_by_phase_keeps_matching_studies_only(world, client_for):
    client = client_for(world.admin)
    body = text(client.get(reverse("portfolio"), {"phase": "II"}))
    assert "CARD-B" in body and "ONC-A" not in body


def test_portfolio_filter_by_status_and_area_and_search(world, client_for):
    make_study("NEU-C", by=world.admin, therapeutic_area="Neurology", status="recruiting", title="Memory")
    client = client_for(world.admin)
    assert "NEU-C" not in text(client.get(reverse("portfolio"), {"status": "planned"}))
    by_area = text(client.get(reverse("portfolio"), {"therapeutic_area": "Neurology"}))
    assert "NEU-C" in by_area and "ONC-A" not in by_area
    by_search = text(client.get(reverse("portfolio"), {"search": "memory"}))
    assert "NEU-C" in by_search and "CARD-B" not in by_search


def test_portfolio_unknown_filter_value_is_ignored(world, client_for):
    response = client_for(world.admin).get(reverse("portfolio"), {"status": "nonsense", "sort": "evil"})
    assert response.status_code == 200
    assert "ONC-A" in text(response) and "CARD-B" in text(response)


def test_portfolio_sort_descending_by_code_reverses_the_order(world, client_for):
    client = client_for(world.admin)
    ascending = text(client.get(reverse("portfolio"), {"sort": "code"}))
    descending = text(client.get(reverse("portfolio"), {"sort": "-code"}))
    assert ascending.index("CARD-B") < ascending.index("ONC-A")
    assert descending.index("ONC-A") < descending.index("CARD-B")


def test_portfolio_sort_header_links_to_the_reverse_order(world, client_for):
    body = text(client_for(world.admin).get(reverse("portfolio"), {"sort": "code", "phase": "III"}))
    assert "?sort=-code&amp;phase=III" in body  # filters kept, order reversed


def test_portfolio_pages_by_page_size(world, client_for, settings):
    settings.PAGE_SIZE = 1
    client = client_for(world.admin)
    first = text(client.get(reverse("portfolio"), {"sort": "code"}))
    second = text(client.get(reverse("portfolio"), {"sort": "code", "page": 2}))
    assert "CARD-B" in first and "ONC-A" not in first
    assert "ONC-A" in second and "CARD-B" not in second
    assert "Page 1 of 2" in first


def test_portfolio_htmx_request_gets_the_table_partial_only(world, client_for):
    response = client_for(world.crm).get(reverse("portfolio"), {"phase": "III"}, **HTMX)
    body = text(response)
    assert "ONC-A" in body
    assert "<html" not in body and "<table" in body
    assert 'hx-swap-oob="true"' in body  # keeps the filter form's sort field in step


def test_portfolio_anonymous_is_sent_to_sign_in(db, client):
    response = client.get(reverse("portfolio"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/")


def test_portfolio_post_is_not_allowed(world, client_for):
    with nothing_written():
        assert client_for(world.crm).post(reverse("portfolio")).status_code == 405


# --- study page and tabs -------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["overview", "protocol", "arms", "milestones", "sites", "history"])
def test_study_page_each_tab_renders_for_crm(world, client_for, tab):
    response = client_for(world.crm).get(study_url(world.study_a, tab))
    assert response.status_code == 200
    assert "<html" in text(response) and 'aria-selected="true"' in text(response)


@pytest.mark.parametrize("tab", ["overview", "protocol", "arms", "milestones", "sites", "history"])
def test_study_page_htmx_tab_request_gets_the_tab_partial(world, client_for, tab):
    body = text(client_for(world.crm).get(study_url(world.study_a, tab), **HTMX))
    assert "<html" not in body and f'id="tab-{tab}"' in body


def test_study_overview_shows_fields_countries_and_counts(world, client_for):
    body = text(client_for(world.crm).get(study_url(world.study_a)))
    for expected in ("ONC-A", "Acme Pharma", "Oncology", "Phase III", "Germany", "Japan", "Edit study"):
        assert expected in body


def test_study_page_for_auditor_shows_no_edit_buttons(world, client_for):
    client = client_for(world.auditor)
    for tab in ("overview", "protocol", "arms", "milestones", "sites"):
        body = text(client.get(study_url(world.study_a, tab)))
        assert "/edit/" not in body and "/new/" not in body and "/status/" not in body


def test_study_page_unknown_tab_shows_overview(world, client_for):
    body = text(client_for(world.crm).get(study_url(world.study_a, "nonsense")))
    assert 'id="tab-overview"' in body


def test_study_page_outsider_gets_404(world, client_for):
    assert client_for(world.outsider).get(study_url(world.study_a)).status_code == 404


def test_study_page_coordinator_of_other_study_gets_404(world, client_for):
    assert client_for(world.coordinator).get(study_url(world.study_a, "history")).status_code == 404


def test_sites_tab_monitor_does_not_see_site_102(world, client_for):
    body = text(client_for(world.monitor).get(study_url(world.study_a, "sites")))
    assert ">101<" in body
    assert ">102<" not in body and "Tokyo Medical" not in body


def test_milestones_tab_marks_late_milestones(world, client_for):
    body = text(client_for(world.crm).get(study_url(world.study_a, "milestones")))
    assert f'class="late" id="milestone-{world.milestone_a.pk}"' in body


def test_milestones_tab_shows_study_or_site_and_variance(world, client_for):
    services.update_milestone(
        milestone=world.milestone_a,
        changes={"forecast_on": dt.date(2025, 6, 11)},
        by=world.crm,
        reason="recruitment slower",
    )
    body = text(client_for(world.crm).get(study_url(world.study_a, "milestones")))
    assert "+10 d" in body
    assert ">Study<" in body and ">102<" in body


# --- history tab and export ----------------------------------------------------------------------


def test_history_tab_shows_changes_with_old_new_and_reason(world, client_for):
    services.update_study(study=world.study_a, changes={"title": "New title"}, by=world.crm, reason="typo")
    body = text(client_for(world.auditor).get(study_url(world.study_a, "history")))
    assert "Study ONC-A" in body and "New title" in body and "typo" in body
    assert "crm_anna" in body and " UTC" in body


def test_history_tab_pages_by_page_size(world, client_for, settings):
    settings.PAGE_SIZE = 2
    body = text(client_for(world.crm).get(study_url(world.study_a, "history")))
    assert "Page 1 of" in body and "tab=history&amp;page=2" in body


def test_history_export_csv_has_one_row_per_changed_field(world, client_for):
    services.update_study(study=world.study_a, changes={"title": "T2"}, by=world.crm, reason="why")
    url = reverse("study_audit_export", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.auditor).get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    changed = [r for r in rows if r["field"] == "title" and r["new_value"] == "T2"]
    assert changed and changed[0]["old_value"] == "Study ONC-A" and changed[0]["reason"] == "why"


def test_history_export_json_lists_events_with_hashes(world, client_for):
    url = reverse("study_audit_export", kwargs={"study_id": world.study_a.pk})
    payload = json.loads(client_for(world.crm).get(url, {"format": "json"}).content)
    assert payload["study"] == "ONC-A"
    assert payload["events"] and all(len(e["hash"]) == 64 for e in payload["events"])


def test_history_export_unknown_format_is_refused(world, client_for):
    url = reverse("study_audit_export", kwargs={"study_id": world.study_a.pk})
    assert client_for(world.crm).get(url, {"format": "xml"}).status_code == 400


def test_history_export_outsider_gets_404(world, client_for):
    url = reverse("study_audit_export", kwargs={"study_id": world.study_a.pk})
    assert client_for(world.outsider).get(url, {"format": "csv"}).status_code == 404


# --- creating and editing a study ----------------------------------------------------------------

STUDY_FORM = {
    "code": "ONC-Z",
    "title": "A new study",
    "phase": "II",
    "therapeutic_area": "Oncology",
    "sponsor": "Acme Pharma",
    "nct_number": "",
    "status": "planned",
    "planned_enrollment": "40",
}


def study_edit_form(study, **changes):
    values = {
        **STUDY_FORM,
        "code": study.code,
        "title": study.title,
        "phase": study.phase,
        "planned_enrollment": study.planned_enrollment,
        "version": study.version,
        "reason": "protocol amendment",
    }
    values.update(changes)
    return values


def test_study_create_page_renders_for_crm(world, client_for):
    assert client_for(world.crm).get(reverse("study_create")).status_code == 200


def test_study_create_valid_form_creates_and_redirects(world, client_for):
    response = client_for(world.crm).post(reverse("study_create"), STUDY_FORM)
    study = Study.objects.get(code="ONC-Z")
    assert response.status_code == 302 and response["Location"] == study_url(study)


def test_study_create_duplicate_code_shows_field_error_and_saves_nothing(world, client_for):
    count = Study.objects.count()
    response = client_for(world.crm).post(reverse("study_create"), {**STUDY_FORM, "code": "ONC-A"})
    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["code"][0]
    assert Study.objects.count() == count


def test_study_create_bad_nct_number_shows_field_error_and_saves_nothing(world, client_for):
    response = client_for(world.crm).post(reverse("study_create"), {**STUDY_FORM, "nct_number": "NCT123"})
    assert "8 digits" in response.context["form"].errors["nct_number"][0]
    assert 'id="id_nct_number_error"' in text(response)  # rendered next to the field
    assert not Study.objects.filter(code="ONC-Z").exists()


def test_study_create_auditor_post_gets_403(world, client_for):
    response = client_for(world.auditor).post(reverse("study_create"), STUDY_FORM)
    assert response.status_code == 403
    assert not Study.objects.filter(code="ONC-Z").exists()


def test_study_edit_saves_with_reason_and_audits(world, client_for):
    url = reverse("study_edit", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.crm).post(url, study_edit_form(world.study_a, title="Retitled"))
    assert response.status_code == 302
    world.study_a.refresh_from_db()
    assert world.study_a.title == "Retitled" and world.study_a.version == 2
    event = AuditEvent.objects.filter(action="study.updated").last()
    assert event.reason == "protocol amendment" and event.changes["title"][1] == "Retitled"


def test_study_edit_missing_reason_shows_field_error_and_saves_nothing(world, client_for):
    url = reverse("study_edit", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.crm).post(url, study_edit_form(world.study_a, title="X", reason=" "))
    assert "reason for change is required" in response.context["form"].errors["reason"][0]
    world.study_a.refresh_from_db()
    assert world.study_a.title == "Study ONC-A"


def test_study_edit_stale_version_shows_form_error_and_saves_nothing(world, client_for):
    services.update_study(study=world.study_a, changes={"sponsor": "Other"}, by=world.admin, reason="r")
    url = reverse("study_edit", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.crm).post(url, study_edit_form(world.study_a, title="Mine", version=1))
    assert response.status_code == 200
    assert "changed by someone else" in response.context["form"].non_field_errors()[0]
    world.study_a.refresh_from_db()
    assert world.study_a.title == "Study ONC-A"


def test_study_edit_auditor_post_gets_403(world, client_for):
    url = reverse("study_edit", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.auditor).post(url, study_edit_form(world.study_a, title="Hacked"))
    assert response.status_code == 403
    world.study_a.refresh_from_db()
    assert world.study_a.title == "Study ONC-A"


def test_study_edit_outsider_gets_404(world, client_for):
    url = reverse("study_edit", kwargs={"study_id": world.study_a.pk})
    assert client_for(world.outsider).get(url).status_code == 404


# --- protocol versions -----------------------------------------------------------------------------


def test_protocol_version_create_adds_a_draft(world, client_for):
    url = reverse("protocol_version_create", kwargs={"study_id": world.study_a.pk})
    form = {"number": "2.0", "version_date": "2025-03-01", "amendment_number": "1"}
    assert client_for(world.crm).post(url, form).status_code == 302
    assert ProtocolVersion.objects.get(study=world.study_a, number="2.0").status == "draft"


def test_protocol_version_create_duplicate_number_shows_field_error(world, client_for):
    url = reverse("protocol_version_create", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.crm).post(url, {"number": "1.0", "version_date": "2025-03-01"})
    assert "already has a protocol version" in response.context["form"].errors["number"][0]


def test_protocol_version_edit_changes_summary(world, client_for):
    url = reverse("protocol_version_edit", kwargs={"protocol_version_id": world.protocol_a.pk})
    form = {"number": "1.0", "version_date": "2025-01-15", "summary_of_changes": "Final", "version": 1}
    response = client_for(world.crm).post(url, {**form, "reason": "summary added"})
    assert response.status_code == 302
    world.protocol_a.refresh_from_db()
    assert world.protocol_a.summary_of_changes == "Final"


def test_protocol_version_status_page_offers_allowed_next_statuses(world, client_for):
    url = reverse("protocol_version_status", kwargs={"protocol_version_id": world.protocol_a.pk})
    form = client_for(world.crm).get(url).context["form"]
    assert [value for value, _ in form.allowed_choices] == ["submitted"]


def test_protocol_version_status_valid_move_is_saved(world, client_for):
    url = reverse("protocol_version_status", kwargs={"protocol_version_id": world.protocol_a.pk})
    response = client_for(world.crm).post(url, {"to": "submitted", "reason": "to ethics", "version": 1})
    assert response.status_code == 302
    world.protocol_a.refresh_from_db()
    assert world.protocol_a.status == "submitted"


def test_protocol_version_status_invalid_transition_shows_the_allowed_ones(world, client_for):
    url = reverse("protocol_version_status", kwargs={"protocol_version_id": world.protocol_a.pk})
    response = client_for(world.crm).post(url, {"to": "effective", "reason": "skip", "version": 1})
    assert response.status_code == 200
    assert "can move only to: submitted" in response.context["form"].non_field_errors()[0]
    world.protocol_a.refresh_from_db()
    assert world.protocol_a.status == "draft"


def test_protocol_version_status_auditor_post_gets_403(world, client_for):
    url = reverse("protocol_version_status", kwargs={"protocol_version_id": world.protocol_a.pk})
    assert client_for(world.auditor).post(url, {"to": "submitted", "reason": "x"}).status_code == 403


# --- arms ------------------------------------------------------------------------------------------


def test_arm_create_and_edit(world, client_for):
    client = client_for(world.crm)
    url = reverse("arm_create", kwargs={"study_id": world.study_a.pk})
    form = {"code": "B", "name": "Placebo", "arm_type": "placebo_comparator", "allocation_ratio": "1"}
    assert client.post(url, form).status_code == 302
    arm = world.study_a.arms.get(code="B")
    edit = reverse("arm_edit", kwargs={"arm_id": arm.pk})
    response = client.post(edit, {**form, "allocation_ratio": "2", "version": 1, "reason": "2:1 design"})
    assert response.status_code == 302
    arm.refresh_from_db()
    assert arm.allocation_ratio == 2


def test_arm_create_duplicate_code_shows_field_error(world, client_for):
    url = reverse("arm_create", kwargs={"study_id": world.study_a.pk})
    form = {"code": "A", "name": "Again", "arm_type": "experimental", "allocation_ratio": "1"}
    response = client_for(world.crm).post(url, form)
    assert "already has an arm" in response.context["form"].errors["code"][0]


# --- milestones ------------------------------------------------------------------------------------


def milestone_form(milestone, **changes):
    values = {
        "kind": milestone.kind,
        "name": milestone.name,
        "study_site": milestone.study_site_id or "",
        "baseline_on": milestone.baseline_on.isoformat() if milestone.baseline_on else "",
        "forecast_on": "",
        "actual_on": "",
        "note": "",
        "version": milestone.version,
        "reason": "site contracts delayed",
    }
    values.update(changes)
    return values


def test_milestone_edit_page_uses_date_inputs_and_lists_visible_sites(world, client_for):
    url = reverse("milestone_edit", kwargs={"milestone_id": world.milestone_a.pk})
    response = client_for(world.crm).get(url)
    body = text(response)
    assert 'type="date" name="baseline_on" value="2025-06-01"' in body
    assert list(response.context["form"].fields["study_site"].queryset) == [world.site_a1, world.site_a2]


def test_milestone_edit_writes_an_audit_event_visible_in_the_history_tab(world, client_for):
    client = client_for(world.crm)
    url = reverse("milestone_edit", kwargs={"milestone_id": world.milestone_a.pk})
    response = client.post(url, milestone_form(world.milestone_a, forecast_on="2025-07-15"))
    assert response.status_code == 302
    assert response["Location"] == study_url(world.study_a, "milestones")
    world.milestone_a.refresh_from_db()
    assert world.milestone_a.forecast_on == dt.date(2025, 7, 15)
    history = text(client.get(study_url(world.study_a, "history")))
    assert "Milestone updated" in history and "milestone.updated" not in history
    assert "Forecast date" in history and "forecast_on" not in history
    assert "2025-07-15" in history and "site contracts delayed" in history


def test_milestone_create_at_a_site(world, client_for):
    url = reverse("milestone_create", kwargs={"study_id": world.study_a.pk})
    form = {"kind": "custom", "name": "SIV", "study_site": world.site_a1.pk, "baseline_on": "2025-04-01"}
    assert client_for(world.crm).post(url, form).status_code == 302
    assert Milestone.objects.get(name="SIV").study_site == world.site_a1


def test_milestone_create_custom_without_name_shows_field_error(world, client_for):
    url = reverse("milestone_create", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.crm).post(url, {"kind": "custom", "baseline_on": "2025-04-01"})
    assert "needs a name" in response.context["form"].errors["name"][0]


def test_milestone_edit_actual_date_in_future_shows_field_error_and_saves_nothing(world, client_for):
    tomorrow = (timezone.now() + dt.timedelta(days=2)).date().isoformat()
    url = reverse("milestone_edit", kwargs={"milestone_id": world.milestone_a.pk})
    response = client_for(world.crm).post(url, milestone_form(world.milestone_a, actual_on=tomorrow))
    assert response.status_code == 200
    assert "cannot be in the future" in response.context["form"].errors["actual_on"][0]
    world.milestone_a.refresh_from_db()
    assert world.milestone_a.actual_on is None and world.milestone_a.version == 1


def test_milestone_edit_missing_reason_shows_field_error(world, client_for):
    url = reverse("milestone_edit", kwargs={"milestone_id": world.milestone_a.pk})
    response = client_for(world.crm).post(
        url, milestone_form(world.milestone_a, forecast_on="2025-07-01", reason="")
    )
    assert "reason" in response.context["form"].errors
    world.milestone_a.refresh_from_db()
    assert world.milestone_a.forecast_on is None


def test_milestone_edit_stale_version_shows_form_error(world, client_for):
    services.update_milestone(
        milestone=world.milestone_a, changes={"note": "x"}, by=world.admin, reason="meanwhile"
    )
    url = reverse("milestone_edit", kwargs={"milestone_id": world.milestone_a.pk})
    form = milestone_form(world.milestone_a, forecast_on="2025-07-01", version=1)
    response = client_for(world.crm).post(url, form)
    assert "changed by someone else" in response.context["form"].non_field_errors()[0]
    world.milestone_a.refresh_from_db()
    assert world.milestone_a.forecast_on is None


def test_milestone_edit_site_of_another_study_is_not_offered(world, client_for):
    url = reverse("milestone_edit", kwargs={"milestone_id": world.milestone_a.pk})
    form = milestone_form(world.milestone_a, study_site=world.site_b1.pk)
    response = client_for(world.admin).post(url, form)
    assert "study_site" in response.context["form"].errors


def test_milestone_edit_auditor_post_gets_403(world, client_for):
    url = reverse("milestone_edit", kwargs={"milestone_id": world.milestone_a.pk})
    form = milestone_form(world.milestone_a, forecast_on="2025-07-01")
    assert client_for(world.auditor).post(url, form).status_code == 403
    assert client_for(world.sponsor_viewer).post(url, form).status_code == 403
    assert client_for(world.monitor).post(url, form).status_code == 403


def test_milestone_edit_monitor_gets_404_for_other_sites_milestone(world, client_for):
    url = reverse("milestone_edit", kwargs={"milestone_id": world.site_milestone_a2.pk})
    assert client_for(world.monitor).get(url).status_code == 404


def test_new_site_appears_in_the_sites_tab(world, client_for):
    make_site(world.study_a, "103", by=world.crm)
    body = text(client_for(world.crm).get(study_url(world.study_a, "sites")))
    assert ">103<" in body
