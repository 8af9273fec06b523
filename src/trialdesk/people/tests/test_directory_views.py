"""The People pages, changing one's own password on /me/, and the Team tab of a study."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_user
from trialdesk.core import services
from trialdesk.core.models import AuditEvent, RoleAssignment, User
from trialdesk.core.roles import Role


def text(response) -> str:
    return response.content.decode()


def person_url(user, action: str = "") -> str:
    url = reverse("person_detail", kwargs={"user_id": user.pk})
    return f"{url}{action}/" if action else url


def team_url(study) -> str:
    return reverse("study_detail", kwargs={"study_id": study.pk}) + "?tab=team"


# --- the people list ---------------------------------------------------------------------------


def test_people_page_for_an_administrator_lists_everyone_with_their_roles(world, client_for):
    body = text(client_for(world.admin).get(reverse("people")))
    for username in ("crm_anna", "coordinator_carl", "outsider_otto", "monitor_mia"):
        assert username in body
    assert "CRA / monitor · ONC-A site 101" in body and "New person" in body


def test_people_page_for_a_crm_lists_the_people_on_their_studies(world, client_for):
    body = text(client_for(world.crm).get(reverse("people")))
    for username in ("crm_anna", "monitor_mia", "auditor_ada", "sponsor_sam"):
        assert username in body
    for username in ("coordinator_carl", "outsider_otto", "crm_bruno"):
        assert username not in body
    assert "New person" not in body


def test_people_page_for_a_monitor_shows_only_themselves(world, client_for):
    body = text(client_for(world.monitor).get(reverse("people")))
    assert "monitor_mia" in body and "crm_anna" not in body


def test_people_page_searches_and_pages(world, client_for, settings):
    settings.PAGE_SIZE = 2
    admin = client_for(world.admin)
    body = text(admin.get(reverse("people"), {"q": "carl"}))
    assert "coordinator_carl" in body and "crm_anna" not in body
    body = text(admin.get(reverse("people"), {"page": 2}))
    assert "Page 2 of" in body


def test_people_page_htmx_request_gets_the_table_only(world, client_for):
    response = client_for(world.admin).get(reverse("people"), {"q": "mia"}, HTTP_HX_REQUEST="true")
    assert "<html" not in text(response) and "monitor_mia" in text(response)


@pytest.mark.parametrize(("person", "shown"), [("admin", True), ("crm", True), ("monitor", False)])
def test_nav_shows_people_to_administrators_and_crms(world, client_for, person, shown):
    body = text(client_for(getattr(world, person)).get(reverse("me")))
    assert ('href="/people/"' in body) is shown
    assert body.count('href="/people/"') <= 1


# --- opening an account ------------------------------------------------------------------------


def test_new_person_page_is_for_administrators_only(world, client_for):
    assert client_for(world.admin).get(reverse("person_create")).status_code == 200
    assert client_for(world.crm).get(reverse("person_create")).status_code == 403
    assert client_for(world.crm).post(reverse("person_create"), {"username": "x"}).status_code == 403


def test_new_person_shows_the_one_time_password_once(world, client_for):
    form = {"username": "nina_new", "first_name": "Nina", "last_name": "New", "email": "nina@example.org"}
    response = client_for(world.admin).post(reverse("person_create"), form)
    body = text(response)
    nina = User.objects.get(username="nina_new")
    assert response.status_code == 200 and "One-time password" in body
    password = body.split('id="one-time-password">')[1].split("<")[0]
    assert nina.check_password(password)
    assert password not in text(client_for(world.admin).get(person_url(nina)))


def test_new_person_with_bad_input_shows_field_errors_and_saves_nothing(world, client_for):
    count = User.objects.count()
    form = {"username": "crm_anna", "email": "not-an-email", "password": "short"}
    response = client_for(world.admin).post(reverse("person_create"), form)
    body = text(response)
    assert response.status_code == 200
    assert "Enter a valid email address." in body
    assert User.objects.count() == count


def test_new_person_with_a_taken_username_shows_it_on_the_field(world, client_for):
    response = client_for(world.admin).post(reverse("person_create"), {"username": "CRM_anna"})
    assert "Someone already has the username" in text(response)
    assert response.context["form"].errors["username"]


# --- one person --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "person", "status"),
    [
        ("admin", "coordinator", 200),
        ("crm", "monitor", 200),
        ("crm", "coordinator", 404),
        ("crm", "outsider", 404),
        ("monitor", "monitor", 200),
        ("monitor", "crm", 404),
        ("auditor", "monitor", 404),
    ],
)
def test_person_page_answers_404_outside_the_viewers_scope(world, client_for, viewer, person, status):
    client = client_for(getattr(world, viewer))
    assert client.get(person_url(getattr(world, person))).status_code == status


def test_person_page_for_a_crm_shows_roles_grant_form_and_revoke_buttons(world, client_for):
    body = text(client_for(world.crm).get(person_url(world.monitor)))
    assert "CRA / monitor" in body and "Site 101" in body
    assert "Grant a role" in body and "Revoke" in body
    assert "Deactivate account" not in body  # accounts are the administrators' business


def test_person_page_for_themselves_shows_no_grant_form(world, client_for):
    body = text(client_for(world.monitor).get(person_url(world.monitor)))
    assert "Grant a role" not in body and "Revoke" not in body


def test_crm_grants_a_role_by_study_and_site_number(world, client_for):
    form = {"role": "coordinator", "study": world.study_a.pk, "site_number": "102"}
    response = client_for(world.crm).post(person_url(world.monitor, "roles"), form)
    assert response.status_code == 302
    assert world.monitor.role_assignments.filter(role=Role.COORDINATOR, study_site=world.site_a2).exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"role": "coordinator", "study": "A", "site_number": "999"}, "has no site 999"),
        ({"role": "coordinator", "study": "", "site_number": "101"}, "Choose the study"),
        ({"role": "monitor", "study": "A", "site_number": ""}, "is granted per study site"),
        ({"role": "monitor", "study": "A", "site_number": "101"}, "already holds"),
        ({"role": "auditor", "study": "B", "site_number": ""}, "Select a valid choice"),
    ],
)
def test_grant_with_bad_input_shows_the_error_and_saves_nothing(world, client_for, form, message):
    form = {**form, "study": {"A": world.study_a.pk, "B": world.study_b.pk, "": ""}[form["study"]]}
    count = RoleAssignment.objects.count()
    response = client_for(world.crm).post(person_url(world.monitor, "roles"), form)
    assert response.status_code == 200 and message in text(response)
    assert RoleAssignment.objects.count() == count


def test_read_only_roles_cannot_grant_even_on_their_own_page(world, client_for):
    form = {"role": "auditor", "study": world.study_a.pk}
    for person in (world.auditor, world.sponsor_viewer):
        assert client_for(person).post(person_url(person, "roles"), form).status_code == 403


def test_revoke_with_a_reason_removes_the_role(world, client_for):
    assignment = world.monitor.role_assignments.get()
    url = reverse(
        "person_role_revoke", kwargs={"user_id": world.monitor.pk, "role_assignment_id": assignment.pk}
    )
    response = client_for(world.crm).post(url, {"reason": "site closed"})
    assert response.status_code == 302 and response["Location"] == person_url(world.monitor)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_revoke_without_a_reason_says_so_and_keeps_the_role(world, client_for):
    assignment = world.monitor.role_assignments.get()
    url = reverse(
        "person_role_revoke", kwargs={"user_id": world.monitor.pk, "role_assignment_id": assignment.pk}
    )
    response = client_for(world.crm).post(url, {"reason": ""}, follow=True)
    assert "A reason for change is required." in text(response)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_revoke_by_the_person_themselves_is_refused(world, client_for):
    assignment = world.monitor.role_assignments.get()
    url = reverse(
        "person_role_revoke", kwargs={"user_id": world.monitor.pk, "role_assignment_id": assignment.pk}
    )
    assert client_for(world.monitor).post(url, {"reason": "I quit"}).status_code == 403


def test_administrator_deactivates_and_reactivates_with_a_reason(world, client_for):
    admin = client_for(world.admin)
    assert admin.post(person_url(world.monitor, "deactivate"), {"reason": "left"}).status_code == 302
    world.monitor.refresh_from_db()
    assert not world.monitor.is_active
    assert admin.post(person_url(world.monitor, "reactivate"), {"reason": "back"}).status_code == 302
    world.monitor.refresh_from_db()
    assert world.monitor.is_active


def test_deactivate_without_a_reason_shows_the_error_and_changes_nothing(world, client_for):
    response = client_for(world.admin).post(person_url(world.monitor, "deactivate"), {"reason": ""})
    assert response.status_code == 200 and "A reason for change is required." in text(response)
    world.monitor.refresh_from_db()
    assert world.monitor.is_active


def test_deactivated_person_is_signed_out(world, client_for):
    monitor = client_for(world.monitor)
    services.deactivate_user(user=world.monitor, by=world.admin, reason="left")
    assert monitor.get(reverse("portfolio")).status_code == 302


def test_crm_cannot_deactivate_or_reset_passwords(world, client_for):
    crm = client_for(world.crm)
    assert crm.post(person_url(world.monitor, "deactivate"), {"reason": "x"}).status_code == 403
    assert crm.post(person_url(world.monitor, "password")).status_code == 403


def test_administrator_resets_a_password_shown_once(world, client_for):
    body = text(client_for(world.admin).post(person_url(world.monitor, "password")))
    password = body.split('id="one-time-password">')[1].split("<")[0]
    world.monitor.refresh_from_db()
    assert world.monitor.check_password(password)


def test_person_page_shows_the_account_history_to_administrators(world, client_for):
    services.deactivate_user(user=world.monitor, by=world.admin, reason="left the CRO")
    assert "left the CRO" in text(client_for(world.admin).get(person_url(world.monitor)))


# --- changing one's own password ---------------------------------------------------------------


def test_change_own_password_keeps_the_session_and_signs_in_with_the_new_one(world, client_for, client):
    crm = client_for(world.crm)
    form = {
        "current_password": PASSWORD,
        "new_password": "a-brand-new-passphrase",
        "new_password_again": "a-brand-new-passphrase",
    }
    response = crm.post(reverse("password_change"), form)
    assert response.status_code == 302
    assert crm.get(reverse("me")).status_code == 200
    # Through the sign-in page: django-axes counts sign-ins per client, so it wants the request.
    signed_in = client.post(reverse("login"), {"username": "crm_anna", "password": "a-brand-new-passphrase"})
    assert signed_in.status_code == 302
    assert AuditEvent.objects.filter(action="user.password_changed", actor_username="crm_anna").exists()


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong", "a-brand-new-passphrase", "a-brand-new-passphrase", "This is not your current password."),
        (PASSWORD, "a-brand-new-passphrase", "something-else-entirely", "are not the same"),
        (PASSWORD, "short", "short", "too short"),
    ],
)
def test_change_own_password_with_bad_input_shows_the_error(world, client_for, current, new, again, message):
    form = {"current_password": current, "new_password": new, "new_password_again": again}
    response = client_for(world.crm).post(reverse("password_change"), form)
    assert response.status_code == 200 and message in text(response)
    world.crm.refresh_from_db()
    assert world.crm.check_password(PASSWORD)


def test_me_page_offers_the_password_change(world, client_for):
    assert "Change password" in text(client_for(world.outsider).get(reverse("me")))


# --- the study's Team tab ----------------------------------------------------------------------


def test_team_tab_for_the_crm_lists_the_team_with_the_grant_form(world, client_for):
    body = text(client_for(world.crm).get(team_url(world.study_a)))
    for name in ("Monitor Mia", "Auditor Ada", "Sponsor Sam", "Crm Anna", "Site 101"):
        assert name in body
    assert "Add a person to the team" in body and "Coordinator Carl" not in body


def test_team_tab_for_a_monitor_shows_study_wide_people_and_their_own_site(world, client_for):
    other = make_user("monitor_mo")
    services.assign_role(user=other, role=Role.MONITOR, study_site=world.site_a2, by=world.crm)
    body = text(client_for(world.monitor).get(team_url(world.study_a)))
    assert "Crm Anna" in body and "Monitor Mia" in body
    assert "Monitor Mo" not in body and "Add a person to the team" not in body and "Revoke" not in body


def test_crm_adds_a_person_to_the_team_by_username(world, client_for):
    form = {"username": "outsider_otto", "role": "coordinator", "site": str(world.site_a2.pk)}
    response = client_for(world.crm).post(
        reverse("study_team_grant", kwargs={"study_id": world.study_a.pk}), form
    )
    assert response.status_code == 302 and response["Location"] == team_url(world.study_a)
    assert world.outsider.role_assignments.filter(study_site=world.site_a2, role=Role.COORDINATOR).exists()
    event = AuditEvent.objects.filter(action="roleassignment.created").latest("id")
    assert event.study_id == world.study_a.pk and event.actor_username == "crm_anna"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "nobody_here", "role": "auditor", "site": ""}, "Nobody has the username"),
        ({"username": "outsider_otto", "role": "monitor", "site": ""}, "is granted per study site"),
        ({"username": "auditor_ada", "role": "auditor", "site": ""}, "already holds"),
        ({"username": "outsider_otto", "role": "administrator", "site": ""}, "Select a valid choice"),
    ],
)
def test_team_grant_with_bad_input_shows_the_error_on_the_tab(world, client_for, form, message):
    count = RoleAssignment.objects.count()
    url = reverse("study_team_grant", kwargs={"study_id": world.study_a.pk})
    response = client_for(world.crm).post(url, form)
    body = text(response)
    assert response.status_code == 200 and message in body and 'id="tab-team"' in body
    assert RoleAssignment.objects.count() == count


def test_team_grant_is_refused_to_read_only_roles_and_hidden_from_outsiders(world, client_for):
    url = reverse("study_team_grant", kwargs={"study_id": world.study_a.pk})
    form = {"username": "outsider_otto", "role": "auditor", "site": ""}
    assert client_for(world.auditor).post(url, form).status_code == 403
    assert client_for(world.monitor).post(url, form).status_code == 403
    assert client_for(world.coordinator).post(url, form).status_code == 404


def test_revoke_from_the_team_tab_returns_to_it(world, client_for):
    assignment = world.auditor.role_assignments.get()
    url = reverse(
        "person_role_revoke", kwargs={"user_id": world.auditor.pk, "role_assignment_id": assignment.pk}
    )
    response = client_for(world.crm).post(url, {"reason": "audit closed", "next": team_url(world.study_a)})
    assert response["Location"] == team_url(world.study_a)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_team_tab_and_people_page_queries_do_not_grow_with_the_team(
    world, client_for, django_assert_max_num_queries
):
    crm = client_for(world.crm)
    urls = (team_url(world.study_a), reverse("people"))
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as few:
            assert crm.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    for n in range(15):
        member = make_user(f"member_{n}")
        services.assign_role(user=member, role=Role.AUDITOR, study=world.study_a, by=world.crm)
        services.assign_role(user=member, role=Role.MONITOR, study_site=world.site_a2, by=world.crm)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert crm.get(url).status_code == 200
