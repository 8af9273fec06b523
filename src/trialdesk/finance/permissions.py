"""Who reads and changes finance records (issue 15, "Roles, scoping"), and the rule on participant numbers.

| who | reads | changes |
|---|---|---|
| administrator | everything | everything |
| CRM, finance (study roles) | their studies' budgets, schedules, payables, runs, invoices, contracts | same |
| auditor (study role) | everything of their studies | nothing |
| sponsor viewer (study role) | totals only: budget, spent, estimate at completion, burn | nothing |
| coordinator, investigator | their site's schedule, payables, runs, invoices | its invoices, procedures |
| monitor, safety officer | nothing of finance | nothing |

**Participant numbers.** A payable line for a visit, a procedure or a screen failure names the
participant (or screening) number, because a site reconciles a payment line by line against its own
records and a remittance advice that does not say which participant's visit it pays cannot be checked
(issue 15 §2: "a remittance advice per site lists what the payment covers"). The number is the study's
pseudonym, not an identity. So the readers of payables above see it — finance staff included, whom
SPEC.md does not bar from subject-level data — and nobody else: sponsor viewers, like everywhere else in
Trialdesk, read totals with no line and no participant number (core.roles.SUBJECT_BLIND_ROLES).
"""

from django.db.models import Q
from django.utils.translation import gettext_noop

from trialdesk.core.models import RoleAssignment
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.core.scoping import NOTHING, is_administrator, role_facts, scope_filter

FINANCE_MANAGERS = frozenset({Role.CRM, Role.FINANCE})
FINANCE_READERS = frozenset({Role.CRM, Role.FINANCE, Role.AUDITOR})
TOTALS_READERS = FINANCE_READERS | {Role.SPONSOR_VIEWER}
ONLY_MANAGERS = gettext_noop(
    "Only the study's CRM, its finance staff or an administrator change finance records."
)
ONLY_SITE = gettext_noop(
    "Only the site's coordinators and investigators, the study's CRM or finance staff do this."
)


def finance_filter(user, *, study_path: str, site_path: str | None = None) -> Q:
    """Rows of finance records `user` may read: the studies where they hold a finance-reading role, and
    with `site_path`, the sites where they are site staff. Built on core.scoping.scope_filter."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if is_administrator(user):
        return Q()
    mine = RoleAssignment.objects.filter(user=user)
    readers = mine.filter(study__isnull=False, study_site__isnull=True, role__in=FINANCE_READERS)
    allowed = Q(**{f"{study_path}__in": readers.values("study_id")})
    if site_path is not None:
        staff = mine.filter(study_site__isnull=False, role__in=SITE_STAFF_ROLES)
        allowed |= Q(**{f"{site_path}__in": staff.values("study_site_id")})
    return scope_filter(user, study_path=study_path, site_path=site_path) & allowed


def _study_roles(user, study_id: int) -> set[str]:
    return role_facts(user).roles_on_study(study_id) if user.is_authenticated else set()


def can_manage_finance(user, study_id: int) -> bool:
    return is_administrator(user) or bool(_study_roles(user, study_id) & FINANCE_MANAGERS)


def can_read_finance(user, study_id: int) -> bool:
    """Every finance record of the study (lines with participant numbers included)."""
    return is_administrator(user) or bool(_study_roles(user, study_id) & FINANCE_READERS)


def can_read_totals(user, study_id: int) -> bool:
    """The study's budget, spend, estimate at completion and burn, as totals."""
    return is_administrator(user) or bool(_study_roles(user, study_id) & TOTALS_READERS)


def is_site_staff(user, study_site_id: int) -> bool:
    return user.is_authenticated and bool(role_facts(user).roles_on_site(study_site_id) & SITE_STAFF_ROLES)


def can_read_site_finance(user, study_id: int, study_site_id: int) -> bool:
    """A site's fee schedule, payables, runs and invoices: finance readers of the study and its staff."""
    return can_read_finance(user, study_id) or is_site_staff(user, study_site_id)


def can_submit_for_site(user, study_id: int, study_site_id: int) -> bool:
    """A site's invoices and procedure records are entered by its staff or the study's finance managers."""
    return can_manage_finance(user, study_id) or is_site_staff(user, study_site_id)


def can_manage_rates(user) -> bool:
    """Exchange rates are reference data: administrators and whoever manages finance somewhere."""
    if is_administrator(user):
        return True
    facts = role_facts(user) if user.is_authenticated else None
    return facts is not None and any(facts.has_role_anywhere(role) for role in FINANCE_MANAGERS)


def sees_finance_anywhere(user, study_id: int) -> bool:
    """Whether the finance tab shows the reader anything of the study: totals, or their own site's."""
    if can_read_totals(user, study_id):
        return True
    return user.is_authenticated and role_facts(user).holds_site_role_in_study(study_id, SITE_STAFF_ROLES)
