"""Reads for the People pages and the Team tab: whom a user may see, the roles they may see, a study's team.

An administrator sees every account. A CRM sees the people who hold a role on one of the studies
they are CRM of (or on one of its sites). Everyone else sees only themselves. The roles shown are
those on studies and sites the viewer may see, so a person's other studies stay hidden.
"""

from django.db.models import F, Prefetch, Q, QuerySet

from trialdesk.core.models import AuditEvent, RoleAssignment, User
from trialdesk.core.scoping import is_administrator, managed_study_ids, scope_filter
from trialdesk.core.scoping import people_visible_to as people_for
from trialdesk.studies.models import Study


def studies_managed_by(viewer: User) -> QuerySet[Study]:
    """The studies whose team `viewer` may change: all for administrators, else those they are CRM of."""
    studies = Study.objects.visible_to(viewer)
    return studies if is_administrator(viewer) else studies.filter(pk__in=managed_study_ids(viewer))


def manages_people(viewer: User) -> bool:
    """Whether the People pages have something for `viewer` beyond their own account."""
    return is_administrator(viewer) or managed_study_ids(viewer).exists()


def role_assignments_for(viewer: User) -> QuerySet[RoleAssignment]:
    """Role assignments `viewer` may see: all for administrators; else their own and their studies'."""
    assignments = RoleAssignment.objects.select_related(
        "study", "study_site__study", "study_site__institution"
    )
    if is_administrator(viewer):
        return assignments
    if not viewer.is_authenticated or not viewer.is_active:
        return assignments.none()
    return assignments.filter(
        Q(user=viewer) | scope_filter(viewer, study_path="study", site_path="study_site")
    )


def _ordered(assignments: QuerySet[RoleAssignment]) -> QuerySet[RoleAssignment]:
    return assignments.order_by(
        F("study__code").asc(nulls_first=True),
        F("study_site__site_number").asc(nulls_first=True),
        "role",
        "id",
    )


def people_list(viewer: User, *, search: str = "", show_inactive: bool = True) -> QuerySet[User]:
    """The people page: matching people with the roles `viewer` may see of theirs prefetched."""
    people = people_for(viewer)
    search = (search or "").strip()
    if search:
        people = people.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    if not show_inactive:
        people = people.filter(is_active=True)
    roles = Prefetch(
        "role_assignments", queryset=_ordered(role_assignments_for(viewer)), to_attr="visible_roles"
    )
    return people.prefetch_related(roles).order_by("username")


def roles_of(viewer: User, person: User) -> QuerySet[RoleAssignment]:
    return _ordered(role_assignments_for(viewer).filter(user=person))


def team_of(viewer: User, study) -> QuerySet[RoleAssignment]:
    """The study's people as `viewer` may see them: study-level roles first, then site by site."""
    return (
        role_assignments_for(viewer)
        .filter(Q(study=study) | Q(study_site__study=study))
        .select_related("user")
        .order_by(F("study_site__site_number").asc(nulls_first=True), "role", "user__username", "id")
    )


def account_history(viewer: User, person: User) -> QuerySet[AuditEvent]:
    """Changes to the account itself (opened, deactivated, password reset), for administrators."""
    if not is_administrator(viewer):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(object_type=User._meta.label_lower, object_id=str(person.pk)).order_by(
        "-id"
    )


def team_candidates(viewer: User) -> QuerySet[User]:
    """Whom `viewer` may name when putting a person on a study's team: the one rule for the Team tab (by
    username) and the API (by id).

    An administrator opens accounts and a CRM builds their study's team from them, so both may name any
    account; `core.services.assign_role` then refuses a deactivated one (naming the field) and anyone
    but an administrator or the study's CRM (403). Everyone else may name only themselves, so their
    attempt is refused as a permission, not hidden as a missing person.
    """
    if manages_people(viewer):
        return User.objects.all()
    return User.objects.filter(pk=viewer.pk)
