"""Who may manage investigational product, handle it at a site, and see which arm a kit type treats
(403 when not; reads are scoping's)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_work_at_site
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.randomization.concealment import sees_allocations
from trialdesk.studies.models import Study

#: Study-level roles that plan and ship a study's supplies and decide on its excursions.
SUPPLY_STUDY_ROLES = frozenset({Role.CRM, Role.SUPPLY_MANAGER})

ONLY_SUPPLY_MANAGERS = "Only the study's supply manager, its CRM or an administrator manage its supplies."
ONLY_SITE_STAFF = (
    "Only the site's own staff (coordinators, investigators), the study's supply manager or CRM "
    "handle IP here."
)


def can_manage_supply(user: User, study_id: int) -> bool:
    """Products, lots, depots, kits, shipments and excursion decisions: the study's supply manager, its CRM
    or an administrator."""
    if is_administrator(user):
        return True
    return bool(SUPPLY_STUDY_ROLES & role_facts(user).roles_on_study(study_id))


def can_handle_site_ip(user: User, *, study_id: int, study_site_id: int) -> bool:
    """Receipts, dispensing, returns and destruction at a site: its own staff, or the supply managers."""
    return can_manage_supply(user, study_id) or can_work_at_site(
        user, study_id=study_id, study_site_id=study_site_id, roles=SITE_STAFF_ROLES
    )


def can_handle_some_site_ip(user: User, study_id: int) -> bool:
    """Whether the user handles IP at one site of the study at least (before an API write names its site)."""
    return can_manage_supply(user, study_id) or role_facts(user).holds_site_role_in_study(
        study_id, SITE_STAFF_ROLES
    )


def sees_kit_arms(user: User, study: Study) -> bool:
    """The kit type → arm mapping is allocation data: shown only to those who see the study's arms
    (randomization.concealment: unblinded access, or an open-label study)."""
    return sees_allocations(user, study)


KIT_TYPE_EVENT = "supply.kittype"


def mask_kit_type_arms(events, user: User):
    """The audit trail as a blinded reader sees it: a kit type's arm is "blinded" (the stored events keep
    it); one query per study read, whatever the number of events."""
    from trialdesk.randomization import rules as randomization_rules  # a pure module: no cycle

    sees: dict[int, bool] = {}
    for event in events:
        if event.object_type == KIT_TYPE_EVENT and event.changes and "arm" in event.changes:
            study_id = event.study_id
            if study_id not in sees:
                study = Study.objects.filter(pk=study_id).first()
                sees[study_id] = study is not None and sees_kit_arms(user, study)
            if not sees[study_id]:
                event.changes = {**event.changes, "arm": randomization_rules.masked(event.changes["arm"])}
        yield event
