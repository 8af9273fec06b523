"""Granting and revoking roles on the installation, a study or a study site."""

from django.core.exceptions import ValidationError
from django.db import transaction

from trialdesk.core import audit
from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.records import require_reason
from trialdesk.core.roles import Role
from trialdesk.core.scoping import forget_role_facts, is_administrator
from trialdesk.core.services.accounts import may_manage_accounts


def may_grant_role(user: User | None, *, role: str, study_id: int | None) -> bool:
    """Administrators grant any role; a study's CRM grants study- and site-level roles on it."""
    if may_manage_accounts(user):
        return True
    if role == Role.ADMINISTRATOR or study_id is None:
        return False
    return can_manage_study(user, study_id)


def _assignment_facts(assignment: RoleAssignment) -> dict:
    return {
        "user": assignment.user.username,
        "role": assignment.role,
        "study": assignment.study_id,
        "study_site": assignment.study_site_id,
    }


def _refuse_duplicate(assignment: RoleAssignment) -> None:
    same = RoleAssignment.objects.filter(
        user=assignment.user_id, role=assignment.role, study_site=assignment.study_site_id
    )
    if assignment.study_site_id is None:
        same = same.filter(study=assignment.study_id)
    if same.exists():
        where = assignment.study_site or assignment.study or "the whole installation"
        raise ValidationError(
            {"role": f"{assignment.user.username} already holds {assignment.get_role_display()} on {where}."}
        )


@transaction.atomic
def assign_role(*, user: User, role: str, study=None, study_site=None, by: User | None) -> RoleAssignment:
    """Grant `role` to `user` for the installation, one study, or one study site (see the module's rules)."""
    if role not in Role.values:
        raise ValidationError({"role": f"There is no role {role!r}; choose one of {', '.join(Role.values)}."})
    if study_site is not None and study is not None and study_site.study_id != study.pk:
        raise ValidationError({"study_site": "This site belongs to another study."})
    if study_site is not None:
        study = study_site.study
    require(
        may_grant_role(by, role=role, study_id=study.pk if study else None),
        "Only an administrator, or the study's CRM for its own team, grants this role.",
    )
    if not user.is_active:
        raise ValidationError({"user": f"{user.username}'s account is deactivated; reactivate it first."})
    assignment = RoleAssignment(user=user, role=role, study=study, study_site=study_site)
    _refuse_duplicate(assignment)
    assignment.full_clean()
    assignment.save()
    audit.record(
        target=assignment,
        action="roleassignment.created",
        by=by,
        before=None,
        after=_assignment_facts(assignment),
        reason="role granted",
        study_id=assignment.study_id,
        study_site_id=assignment.study_site_id,
    )
    forget_role_facts(user)
    return assignment


@transaction.atomic
def assign_creator_as_crm(*, study, by: User) -> RoleAssignment:
    """The person who set a study up becomes its CRM: nobody else's permission is needed for that."""
    assignment = RoleAssignment(user=by, role=Role.CRM, study=study)
    _refuse_duplicate(assignment)
    assignment.save()
    audit.record(
        target=assignment,
        action="roleassignment.created",
        by=by,
        before=None,
        after=_assignment_facts(assignment),
        reason="set the study up",
        study_id=study.pk,
    )
    forget_role_facts(by)
    return assignment


def _study_of(assignment: RoleAssignment) -> int | None:
    return assignment.study_id or (assignment.study_site.study_id if assignment.study_site_id else None)


def may_revoke_role(user: User | None, assignment: RoleAssignment) -> bool:
    """As may_grant_role, except that nobody removes their own Administrator role, nor a CRM their own CRM."""
    if not may_grant_role(user, role=assignment.role, study_id=_study_of(assignment)):
        return False
    if user is None or user.pk != assignment.user_id:
        return True
    if assignment.role == Role.ADMINISTRATOR:
        return False
    return assignment.role != Role.CRM or is_administrator(user)


@transaction.atomic
def revoke_role(*, assignment: RoleAssignment, by: User | None, reason: str) -> None:
    """Take a role away (the assignment is deleted; the audit trail keeps what it was and why)."""
    require(
        may_revoke_role(by, assignment),
        "Only an administrator, or the study's CRM for its own team, revokes this role; "
        "nobody removes their own Administrator or CRM role.",
    )
    reason = require_reason(reason)
    current = RoleAssignment.objects.select_for_update().select_related("user").get(pk=assignment.pk)
    audit.record(
        target=current,
        action="roleassignment.revoked",
        by=by,
        before=_assignment_facts(current),
        after=None,
        reason=reason,
        study_id=_study_of(current),
        study_site_id=current.study_site_id,
    )
    current.delete()
    forget_role_facts(assignment.user)
