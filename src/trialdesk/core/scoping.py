"""The one scoping mechanism: which studies and sites a user may see, as query filters.

Every `visible_to(user)` queryset method in Trialdesk is built from `scope_filter`, so a user's
assignments decide what every list, detail page, export and API endpoint may return.
"""

import contextlib

from django.db.models import Q, QuerySet

from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.roles import SUBJECT_BLIND_ROLES, Role

NOTHING = Q(pk__in=[])


def is_administrator(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return role_facts(user).is_administrator


def managed_study_ids(viewer: User) -> QuerySet:
    """Ids of the studies whose team `viewer` manages as their CRM (a subquery)."""
    return RoleAssignment.objects.filter(
        user=viewer, role=Role.CRM, study__isnull=False, study_site__isnull=True
    ).values("study_id")


def people_visible_to(viewer: User) -> QuerySet[User]:
    """The people whose page `viewer` may open: administrators everyone's, a CRM those with a role on a
    study they are CRM of, everyone their own. Here, not in people, so that the apps below people (a
    site's PI, its contacts) link a name only where the link opens, by the same rule as the People pages."""
    if not viewer.is_authenticated or not viewer.is_active:
        return User.objects.none()
    if is_administrator(viewer):
        return User.objects.all()
    managed = managed_study_ids(viewer)
    on_their_studies = RoleAssignment.objects.filter(
        Q(study_id__in=managed) | Q(study_site__study_id__in=managed)
    ).values("user_id")
    return User.objects.filter(Q(pk=viewer.pk) | Q(pk__in=on_their_studies))


class RoleFacts:
    """A user's role assignments, loaded once per user object (one query)."""

    def __init__(self, user: User):
        rows = list(
            RoleAssignment.objects.filter(user=user).values_list(
                "role", "study_id", "study_site_id", "study_site__study_id"
            )
        )
        self.is_administrator = any(role == Role.ADMINISTRATOR for role, *_ in rows)
        self.study_roles: dict[int, set[str]] = {}
        self.site_roles: dict[int, set[str]] = {}
        self.study_of_site: dict[int, int] = {}
        for role, study_id, site_id, site_study_id in rows:
            if site_id:
                self.site_roles.setdefault(site_id, set()).add(role)
                self.study_of_site[site_id] = site_study_id
            elif study_id:
                self.study_roles.setdefault(study_id, set()).add(role)

    def roles_on_study(self, study_id: int) -> set[str]:
        return self.study_roles.get(study_id, set())

    def roles_on_site(self, site_id: int) -> set[str]:
        return self.site_roles.get(site_id, set())

    def holds_site_role_in_study(self, study_id: int, roles: frozenset[str]) -> bool:
        """Whether one of `roles` is held at some site of the study."""
        return any(
            self.study_of_site[site_id] == study_id and held & roles
            for site_id, held in self.site_roles.items()
        )

    def has_role_anywhere(self, role: str) -> bool:
        return any(role in roles for roles in (*self.study_roles.values(), *self.site_roles.values()))


def role_facts(user: User) -> RoleFacts:
    facts = getattr(user, "_trialdesk_role_facts", None)
    if facts is None:
        facts = RoleFacts(user)
        user._trialdesk_role_facts = facts
    return facts


def forget_role_facts(user: User) -> None:
    """Call after changing a user's assignments so the next check reloads them."""
    # delattr, not __dict__.pop: the request's user is a lazy wrapper whose own __dict__ is not the user's.
    with contextlib.suppress(AttributeError):
        delattr(user, "_trialdesk_role_facts")


def scope_filter(
    user: User, *, study_path: str, site_path: str | None = None, subject_level: bool = False
) -> Q:
    """A filter keeping the rows the user may see.

    `study_path` leads from the model to its study id (``"pk"`` for Study itself, ``"study"`` below it).
    `site_path`, when given, leads to the row's study site id: then site-level staff see only rows of their
    own sites, and rows whose site is empty are study-wide and shown to anyone on the study.
    `subject_level` marks participant-level records: sponsor viewers see no subject-level identifiers
    (SPEC.md, roles.SUBJECT_BLIND_ROLES), so their assignments do not open these rows.
    """
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if is_administrator(user):
        return Q()
    study_level = RoleAssignment.objects.filter(user=user, study__isnull=False, study_site__isnull=True)
    if subject_level:
        study_level = study_level.exclude(role__in=SUBJECT_BLIND_ROLES)
    site_level = RoleAssignment.objects.filter(user=user, study_site__isnull=False)
    visible = Q(**{f"{study_path}__in": study_level.values("study_id")})
    if site_path is None:
        return visible | Q(**{f"{study_path}__in": site_level.values("study_site__study_id")})
    return (
        visible
        | Q(**{f"{site_path}__in": site_level.values("study_site_id")})
        | Q(**{f"{site_path}__isnull": True, f"{study_path}__in": site_level.values("study_site__study_id")})
    )
