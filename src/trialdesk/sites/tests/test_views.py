"""Site pages: the institution directory, a study site's page, its edits and status lifecycle."""

from django.urls import reverse

from tests.factories import make_institution
from tests.writes import nothing_written
from trialdesk.sites.models import Institution, StudySite


def text(response) -> str:
    return response.content.decode()


def site_url(name, site):
    return reverse(name, kwargs={"study_site_id": site.pk})


# --- institutions -----------------------------------------------------------------------------------

INSTITUTION_FORM = {
    "name": "Charité",
    "department": "Oncology",
    "city": "Berlin",
    "country": "DE",
    "time_zone": "Europe/Berlin",
}


def test_institution_list_renders_for_crm_with_search(world, client_for):
    client = client_for(world.crm)
    assert "Tokyo Medical" in text(client.get(reverse("institution_list")))
    found = text(client.get(reverse("institution_list"), {"search": "tokyo"}))
    assert "Tokyo Medical" in found and "Hospital ONC-A-101" not in found


def test_institution_list_htmx_request_gets_the_table_partial(world, client_for):
    response = client_for(world.crm).get(reverse("institution_list"), HTTP_HX_REQUEST="true")
    assert "<html" not in text(response) and "<table" in text(response)


def test_institution_list_pages_by_page_size(world, client_for, settings):
    settings.PAGE_SIZE = 2
    assert "Page 1 of 2" in text(client_for(world.crm).get(reverse("institution_list")))


def test_institution_list_monitor_sees_only_their_sites_institutions(world, client_for):
    body = text(client_for(world.monitor).get(reverse("institution_list")))
    assert "Hospital ONC-A-101" in body and "Tokyo Medical" not in body
    assert "New institution" not in body


def test_institution_create_page_has_country_select_and_time_zone_list(world, client_for):
    body = text(client_for(world.crm).get(reverse("institution_create")))
    assert '<option value="JP">Japan</option>' in body
    assert 'list="time-zones"' in body and '<option value="Asia/Tokyo">' in body


def test_institution_create_valid_form_saves(world, client_for):
    response = client_for(world.crm).post(reverse("institution_create"), INSTITUTION_FORM)
    institution = Institution.objects.get(name="Charité")
    assert response["Location"] == reverse("institution_detail", kwargs={"institution_id": institution.pk})


def test_institution_create_unknown_country_shows_field_error_and_saves_nothing(world, client_for):
    response = client_for(world.crm).post(
        reverse("institution_create"), {**INSTITUTION_FORM, "country": "XX"}
    )
    assert "country" in response.context["form"].errors
    assert not Institution.objects.filter(name="Charité").exists()


def test_institution_create_unknown_time_zone_shows_field_error_and_saves_nothing(world, client_for):
    form = {**INSTITUTION_FORM, "time_zone": "Europe/Atlantis"}
    response = client_for(world.crm).post(reverse("institution_create"), form)
    assert "not an IANA time zone" in response.context["form"].errors["time_zone"][0]
    assert 'id="id_time_zone_error"' in text(response)
    assert not Institution.objects.filter(name="Charité").exists()


def test_institution_create_auditor_post_gets_403(world, client_for):
    with nothing_written():
        assert (
            client_for(world.auditor).post(reverse("institution_create"), INSTITUTION_FORM).status_code == 403
        )


def test_institution_detail_lists_visible_sites_in_local_time(world, client_for):
    url = reverse("institution_detail", kwargs={"institution_id": world.site_a2.institution_id})
    body = text(client_for(world.crm).get(url))
    assert "Asia/Tokyo" in body and "Japan (JP)" in body and ">102<" in body


def test_institution_detail_outsider_gets_404(world, client_for):
    url = reverse("institution_detail", kwargs={"institution_id": world.site_a2.institution_id})
    assert client_for(world.outsider).get(url).status_code == 404


def test_institution_edit_with_reason_saves(world, client_for):
    institution = world.site_a2.institution
    url = reverse("institution_edit", kwargs={"institution_id": institution.pk})
    form = {
        "name": "Tokyo Medical University",
        "city": "Tokyo",
        "country": "JP",
        "time_zone": "Asia/Tokyo",
        "version": institution.version,
        "reason": "official name",
    }
    assert client_for(world.crm).post(url, form).status_code == 302
    institution.refresh_from_db()
    assert institution.name == "Tokyo Medical University"


# --- study sites -------------------------------------------------------------------------------------


def site_form(institution, **changes):
    values = {
        "institution": institution.pk,
        "site_number": "103",
        "principal_investigator": "Dr Weiss",
        "target_enrollment": "15",
        "planned_activation_on": "2025-09-01",
    }
    values.update(changes)
    return values


def test_study_site_create_valid_form_saves(world, client_for):
    institution = make_institution("Uniklinik Köln", by=world.crm, city="Köln")
    url = reverse("study_site_create", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.crm).post(url, site_form(institution))
    site = StudySite.objects.get(study=world.study_a, site_number="103")
    assert response["Location"] == site_url("study_site_detail", site)


def test_study_site_create_reused_site_number_shows_field_error_and_saves_nothing(world, client_for):
    institution = make_institution("Uniklinik Köln", by=world.crm, city="Köln")
    url = reverse("study_site_create", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.crm).post(url, site_form(institution, site_number="101"))
    assert response.status_code == 200
    assert "already used in this study" in response.context["form"].errors["site_number"][0]
    assert 'id="id_site_number_error"' in text(response)
    assert not StudySite.objects.filter(institution=institution).exists()


def test_study_site_create_auditor_post_gets_403(world, client_for):
    url = reverse("study_site_create", kwargs={"study_id": world.study_a.pk})
    with nothing_written():
        assert client_for(world.auditor).post(url, site_form(world.site_a1.institution)).status_code == 403


def test_study_site_detail_shows_institution_zone_milestones_and_transitions(world, client_for):
    body = text(client_for(world.crm).get(site_url("study_site_detail", world.site_a2)))
    assert "Tokyo Medical" in body and "Asia/Tokyo" in body and "Japan (JP)" in body
    assert "Site activated" in body  # its milestone
    assert 'name="to" value="under_feasibility"' in body and 'value="on_hold"' in body


def test_study_site_detail_auditor_sees_no_status_buttons(world, client_for):
    body = text(client_for(world.auditor).get(site_url("study_site_detail", world.site_a1)))
    assert 'name="to"' not in body and "Edit site" not in body


def test_study_site_detail_monitor_gets_404_for_site_102(world, client_for):
    assert client_for(world.monitor).get(site_url("study_site_detail", world.site_a2)).status_code == 404


def test_study_site_edit_with_reason_saves(world, client_for):
    site = world.site_a1
    form = site_form(site.institution, site_number="101", version=site.version, reason="PI changed")
    assert client_for(world.crm).post(site_url("study_site_edit", site), form).status_code == 302
    site.refresh_from_db()
    assert site.principal_investigator == "Dr Weiss"


def test_study_site_edit_stale_version_shows_form_error(world, client_for):
    site = world.site_a1
    form = site_form(site.institution, site_number="101", version=site.version + 5, reason="PI changed")
    response = client_for(world.crm).post(site_url("study_site_edit", site), form)
    assert "changed by someone else" in response.context["form"].non_field_errors()[0]


def test_study_site_status_valid_move_is_saved(world, client_for):
    url = site_url("study_site_status", world.site_a1)
    response = client_for(world.crm).post(url, {"to": "under_feasibility", "reason": "questionnaire sent"})
    assert response.status_code == 302
    world.site_a1.refresh_from_db()
    assert world.site_a1.status == "under_feasibility"


def test_study_site_status_invalid_transition_names_the_allowed_ones(world, client_for):
    url = site_url("study_site_status", world.site_a1)
    response = client_for(world.crm).post(url, {"to": "enrolling", "reason": "hurry"})
    assert response.status_code == 200
    message = response.context["form"].non_field_errors()[0]
    assert "can move only to: under feasibility, on hold, terminated" in message
    assert message in text(response)
    world.site_a1.refresh_from_db()
    assert world.site_a1.status == "identified"


def test_study_site_status_missing_reason_shows_field_error(world, client_for):
    url = site_url("study_site_status", world.site_a1)
    response = client_for(world.crm).post(url, {"to": "under_feasibility", "reason": ""})
    assert "reason" in response.context["form"].errors
    world.site_a1.refresh_from_db()
    assert world.site_a1.status == "identified"


def test_study_site_status_page_offers_allowed_transitions(world, client_for):
    form = client_for(world.crm).get(site_url("study_site_status", world.site_a1)).context["form"]
    assert [value for value, _ in form.allowed_choices] == ["under_feasibility", "on_hold", "terminated"]


def test_study_site_status_auditor_post_gets_403(world, client_for):
    url = site_url("study_site_status", world.site_a1)
    for person in (world.auditor, world.sponsor_viewer, world.monitor):
        assert client_for(person).post(url, {"to": "under_feasibility", "reason": "x"}).status_code == 403
    world.site_a1.refresh_from_db()
    assert world.site_a1.status == "identified"
