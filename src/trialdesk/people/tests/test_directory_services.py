"""Managing people: accounts, passwords, and who may grant and revoke which role, all on the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from tests.factories import PASSWORD, make_study, make_user
from trialdesk.core import audit, services
from trialdesk.core.models import AuditEvent, RoleAssignment, User
from trialdesk.core.roles import Role


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


def field_errors(failure) -> dict:
    return failure.value.message_dict


# --- accounts ----------------------------------------------------------------------------------


def test_create_user_without_password_returns_a_one_time_password_that_signs_in(world):
    user, password = services.create_user(
        username="nina_new", first_name="Nina", last_name="New", email="nina@example.org", by=world.admin
    )
    assert len(password) >= 16 and user.check_password(password)
    event = last_event("user.created")
    assert (event.actor_username, event.object_id) == ("admin", str(user.pk))
    assert event.changes["username"] == [None, "nina_new"]
    assert "password" not in event.changes  # never the hash


def test_create_user_with_a_password_returns_no_one_time_password(world):
    user, password = services.create_user(username="pat", password="a-long-enough-passphrase", by=world.admin)
    assert password == "" and user.check_password("a-long-enough-passphrase")


def test_create_user_as_administrator_grants_the_role_on_the_trail(world):
    user, _ = services.create_user(username="ada_admin", administrator=True, by=world.admin)
    assert user.role_assignments.get().role == Role.ADMINISTRATOR
    assert last_event("roleassignment.created").changes["role"] == [None, "administrator"]


def test_create_user_from_the_command_line_is_recorded_as_system(world):
    services.create_user(username="scripted", by=None)
    assert last_event("user.created").actor_username == "system"


@pytest.mark.parametrize("person", ["crm", "monitor", "auditor", "outsider"])
def test_create_user_by_anyone_but_an_administrator_is_refused(world, person):
    with pytest.raises(PermissionDenied):
        services.create_user(username="sneaky", by=getattr(world, person))
    assert not User.objects.filter(username="sneaky").exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"username": "CRM_ANNA"}, "username"),  # the same name in other letters is the same person
        ({"username": "bad name!"}, "username"),
        ({"username": ""}, "username"),
        ({"username": "ok_name", "email": "not-an-email"}, "email"),
        ({"username": "ok_name", "password": "short"}, "password"),
        ({"username": "ok_name", "password": "password123"}, "password"),  # a common password
    ],
)
def test_create_user_with_bad_input_names_the_field_and_saves_nothing(world, values, field):
    before = (User.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as failure:
        services.create_user(by=world.admin, **values)
    assert field in field_errors(failure)
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_deactivate_user_needs_a_reason(world):
    with pytest.raises(ValidationError) as failure:
        services.deactivate_user(user=world.monitor, by=world.admin, reason="  ")
    assert "reason" in field_errors(failure)
    world.monitor.refresh_from_db()
    assert world.monitor.is_active


def test_deactivated_user_cannot_sign_in_nor_use_a_token(world):
    _, token = services.create_api_token(user=world.monitor, name="script", by=world.monitor)
    services.deactivate_user(user=world.monitor, by=world.admin, reason="left the CRO")
    event = last_event("user.deactivated")
    assert event.changes == {"is_active": [True, False]} and event.reason == "left the CRO"
    request = RequestFactory().post("/login/")
    assert services.sign_in(request=request, username="monitor_mia", password=PASSWORD).user is None
    assert services.user_for_token(token) is None
    assert User.objects.filter(pk=world.monitor.pk).exists()  # never deleted


def test_reactivate_user_lets_them_back_in(world):
    services.deactivate_user(user=world.monitor, by=world.admin, reason="on leave")
    services.reactivate_user(user=world.monitor, by=world.admin, reason="back from leave")
    world.monitor.refresh_from_db()
    assert world.monitor.is_active
    assert last_event("user.reactivated").reason == "back from leave"


def test_deactivate_an_already_deactivated_account_is_refused(world):
    services.deactivate_user(user=world.monitor, by=world.admin, reason="left")
    with pytest.raises(ValidationError):
        services.deactivate_user(user=world.monitor, by=world.admin, reason="left again")


def test_administrator_cannot_deactivate_their_own_account(world):
    with pytest.raises(ValidationError):
        services.deactivate_user(user=world.admin, by=world.admin, reason="oops")


def test_crm_cannot_deactivate_anyone(world):
    with pytest.raises(PermissionDenied):
        services.deactivate_user(user=world.monitor, by=world.crm, reason="not mine to do")


def test_reset_password_gives_a_one_time_password_and_unlocks(world):
    User.objects.filter(pk=world.monitor.pk).update(failed_login_count=3)
    password = services.reset_password(user=world.monitor, by=world.admin)
    world.monitor.refresh_from_db()
    assert world.monitor.check_password(password) and world.monitor.failed_login_count == 0
    assert last_event("user.password_reset").actor_username == "admin"


def test_reset_password_by_a_crm_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.reset_password(user=world.monitor, by=world.crm)


def test_change_own_password_needs_the_current_one(world):
    with pytest.raises(ValidationError) as failure:
        services.change_own_password(
            user=world.crm, current_password="wrong", new_password="new-passphrase-1"
        )
    assert "current_password" in field_errors(failure)


@pytest.mark.parametrize("new_password", ["short", "password123", PASSWORD])
def test_change_own_password_applies_the_password_rules(world, new_password):
    with pytest.raises(ValidationError) as failure:
        services.change_own_password(user=world.crm, current_password=PASSWORD, new_password=new_password)
    assert "new_password" in field_errors(failure)
    world.crm.refresh_from_db()
    assert world.crm.check_password(PASSWORD)


def test_change_own_password_is_audited_without_the_password(world):
    services.change_own_password(user=world.crm, current_password=PASSWORD, new_password="a-new-passphrase")
    world.crm.refresh_from_db()
    assert world.crm.check_password("a-new-passphrase")
    event = last_event("user.password_changed")
    assert event.actor_username == "crm_anna" and event.changes == {}


# --- who may grant which role ------------------------------------------------------------------

# (who grants, role, where) -> allowed. "A" is the CRM's study ONC-A, "B" is CARD-B; "A2" a site of A.
GRANT_RULES = [
    ("admin", Role.ADMINISTRATOR, None, True),
    ("admin", Role.CRM, "B", True),
    ("admin", Role.COORDINATOR, "A2", True),
    ("crm", Role.CRM, "A", True),  # a co-CRM for their own study
    ("crm", Role.AUDITOR, "A", True),
    ("crm", Role.MONITOR, "A2", True),
    ("crm", Role.ADMINISTRATOR, None, False),
    ("crm", Role.AUDITOR, "B", False),
    ("crm", Role.COORDINATOR, "B1", False),
    ("monitor", Role.MONITOR, "A2", False),
    ("auditor", Role.AUDITOR, "A", False),
    ("sponsor_viewer", Role.SPONSOR_VIEWER, "A", False),
    ("outsider", Role.CRM, "A", False),
    (None, Role.ADMINISTRATOR, None, True),  # the command line
]


def place(world, where):
    return {
        None: {},
        "A": {"study": world.study_a},
        "B": {"study": world.study_b},
        "A2": {"study_site": world.site_a2},
        "B1": {"study_site": world.site_b1},
    }[where]


@pytest.mark.parametrize(("granter", "role", "where", "allowed"), GRANT_RULES)
def test_who_may_grant_which_role(world, granter, role, where, allowed):
    newcomer = make_user("newcomer")
    by = getattr(world, granter) if granter else None
    if allowed:
        assignment = services.assign_role(user=newcomer, role=role, by=by, **place(world, where))
        assert assignment.pk
    else:
        with pytest.raises(PermissionDenied):
            services.assign_role(user=newcomer, role=role, by=by, **place(world, where))
        assert not newcomer.role_assignments.exists()


def test_grant_on_a_site_lands_in_the_study_trail(world):
    newcomer = make_user("newcomer")
    assignment = services.assign_role(
        user=newcomer, role=Role.MONITOR, study_site=world.site_a2, by=world.crm
    )
    event = last_event("roleassignment.created")
    assert (event.study_id, event.study_site_id) == (world.study_a.pk, world.site_a2.pk)
    assert event in audit.study_trail(world.study_a.pk)
    assert (assignment.study, assignment.study_site) == (world.study_a, world.site_a2)


@pytest.mark.parametrize(
    ("role", "where", "field"),
    [
        ("conductor", "A", "role"),  # no such role
        (Role.MONITOR, "A", "role"),  # a monitor is granted per site
        (Role.CRM, "A2", "role"),  # a CRM is granted per study
        (Role.ADMINISTRATOR, "A", "role"),  # installation-wide only
    ],
)
def test_grant_with_bad_input_names_the_field(world, role, where, field):
    newcomer = make_user("newcomer")
    with pytest.raises(ValidationError) as failure:
        services.assign_role(user=newcomer, role=role, by=world.admin, **place(world, where))
    assert field in field_errors(failure)
    assert not newcomer.role_assignments.exists()


def test_grant_of_a_role_already_held_is_refused_on_role(world):
    with pytest.raises(ValidationError) as failure:
        services.assign_role(user=world.monitor, role=Role.MONITOR, study_site=world.site_a1, by=world.crm)
    assert "already holds" in field_errors(failure)["role"][0]


def test_grant_with_a_site_of_another_study_is_refused_on_study_site(world):
    with pytest.raises(ValidationError) as failure:
        services.assign_role(
            user=world.outsider,
            role=Role.MONITOR,
            study=world.study_a,
            study_site=world.site_b1,
            by=world.admin,
        )
    assert "study_site" in field_errors(failure)


def test_grant_to_a_deactivated_account_is_refused(world):
    services.deactivate_user(user=world.outsider, by=world.admin, reason="left")
    with pytest.raises(ValidationError) as failure:
        services.assign_role(user=world.outsider, role=Role.AUDITOR, study=world.study_a, by=world.crm)
    assert "user" in field_errors(failure)


def test_crm_setting_up_a_study_becomes_its_crm(world):
    study = make_study("NEU-C", by=world.crm)
    assert world.crm.role_assignments.filter(role=Role.CRM, study=study).exists()
    assert last_event("roleassignment.created").study_id == study.pk


# --- revoking ----------------------------------------------------------------------------------


def test_crm_revokes_a_monitor_with_a_reason_on_the_study_trail(world):
    assignment = world.monitor.role_assignments.get()
    services.revoke_role(assignment=assignment, by=world.crm, reason="moved to another study")
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    event = last_event("roleassignment.revoked")
    assert event.reason == "moved to another study"
    assert (event.study_id, event.study_site_id) == (world.study_a.pk, world.site_a1.pk)
    assert event.changes["role"] == ["monitor", None]


def test_revoke_without_a_reason_is_refused_and_keeps_the_role(world):
    assignment = world.monitor.role_assignments.get()
    with pytest.raises(ValidationError) as failure:
        services.revoke_role(assignment=assignment, by=world.crm, reason="")
    assert "reason" in field_errors(failure)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


@pytest.mark.parametrize("person", ["monitor", "auditor", "sponsor_viewer", "coordinator", "outsider"])
def test_revoke_by_anyone_but_the_crm_or_an_administrator_is_refused(world, person):
    assignment = world.monitor.role_assignments.get()
    with pytest.raises(PermissionDenied):
        services.revoke_role(assignment=assignment, by=getattr(world, person), reason="no")
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_crm_of_study_a_cannot_revoke_on_study_b(world):
    with pytest.raises(PermissionDenied):
        services.revoke_role(assignment=world.coordinator.role_assignments.get(), by=world.crm, reason="no")


def test_crm_cannot_revoke_their_own_crm_role_but_a_co_crm_can(world):
    co_crm = make_user("crm_cora")
    services.assign_role(user=co_crm, role=Role.CRM, study=world.study_a, by=world.crm)
    own = world.crm.role_assignments.get(role=Role.CRM)
    assert not services.may_revoke_role(world.crm, own)
    with pytest.raises(PermissionDenied):
        services.revoke_role(assignment=own, by=world.crm, reason="handing over")
    services.revoke_role(assignment=own, by=co_crm, reason="handed over to Cora")
    assert not world.crm.role_assignments.exists()


def test_nobody_revokes_their_own_administrator_role(world):
    other_admin, _ = services.create_user(username="root2", administrator=True, by=world.admin)
    own = other_admin.role_assignments.get()
    with pytest.raises(PermissionDenied):
        services.revoke_role(assignment=own, by=other_admin, reason="stepping down")
    services.revoke_role(assignment=own, by=world.admin, reason="stepped down")


def test_people_management_keeps_the_audit_chain_intact(world):
    user, _ = services.create_user(username="chain", by=world.admin)
    assignment = services.assign_role(user=user, role=Role.AUDITOR, study=world.study_a, by=world.crm)
    services.revoke_role(assignment=assignment, by=world.crm, reason="audit done")
    services.deactivate_user(user=user, by=world.admin, reason="contract ended")
    assert audit.verify_chain().intact
