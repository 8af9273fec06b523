"""Who at each site still has to be trained on a new protocol version (the amendment checklist's
retraining item, read by the regulatory app).

A site that keeps its delegation log in Trialdesk: the staff on the log (selectors.protocol_training_gaps).
A site that keeps none yet: its coordinators and investigators by their roles at the site, against their
training records, so that the item never shows "done" while staff there are untrained. A site with
neither has nobody Trialdesk knows of: the item is unknown, not done.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.roles import Role
from trialdesk.people.models import DelegationEntry, TrainingRecord
from trialdesk.people.selectors import protocol_training_gaps

DELEGATION_LOG = "delegation log"
SITE_ROLES = "site roles"


@dataclass(frozen=True)
class SiteRetraining:
    """One site's staff still to train on the version, and where the list of staff came from ("" when
    Trialdesk knows of nobody at the site)."""

    source: str
    untrained: list[User] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.source)


def protocol_retraining(study_site_ids, protocol_version) -> dict[int, SiteRetraining]:
    """Per study site id, who is not yet trained on `protocol_version` (a ProtocolVersion or its id).

    A fixed number of queries whatever the number of sites (the amendment status asks for hundreds).
    """
    version_id = getattr(protocol_version, "pk", protocol_version)
    site_ids = list(study_site_ids)
    with_log = set(
        DelegationEntry.objects.filter(study_site_id__in=site_ids).values_list("study_site_id", flat=True)
    )
    found: dict[int, SiteRetraining] = {}
    if with_log:
        for site_id, untrained in protocol_training_gaps(sorted(with_log), version_id).items():
            found[site_id] = SiteRetraining(DELEGATION_LOG, untrained)
    without_log = [site_id for site_id in site_ids if site_id not in with_log]
    by_role: dict[int, set[int]] = defaultdict(set)
    for site_id, user_id in RoleAssignment.objects.filter(
        study_site_id__in=without_log,
        role__in=(Role.COORDINATOR, Role.INVESTIGATOR),
        user__is_active=True,
    ).values_list("study_site_id", "user_id"):
        by_role[site_id].add(user_id)
    staff_ids = set().union(*by_role.values()) if by_role else set()
    trained = set(
        TrainingRecord.objects.filter(
            kind="protocol", protocol_version_id=version_id, staff_member_id__in=staff_ids
        ).values_list("staff_member_id", flat=True)
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=staff_ids - trained)} if staff_ids - trained else {}
    for site_id in without_log:
        staff = by_role.get(site_id)
        if not staff:
            found[site_id] = SiteRetraining("")
            continue
        untrained = sorted((users[u] for u in staff if u in users), key=lambda u: u.username)
        found[site_id] = SiteRetraining(SITE_ROLES, untrained)
    return found
