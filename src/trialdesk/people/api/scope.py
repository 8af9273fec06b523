"""What the parts of the people API share: field names, the people on a study, pages of lists, flags."""

from django.db.models import Q

from trialdesk.core.apiutils import PageQuery
from trialdesk.core.models import User
from trialdesk.people import rules, selectors
from trialdesk.people.models import DelegationEntry

# The services name relations; the API names the ids the client sent.
API_NAMES = {
    "staff_member": "staff_member_id",
    "protocol_version": "protocol_version_id",
    "investigator": "investigator_id",
}


def _people_on_study(study_id: int):
    on_study = Q(role_assignments__study_id=study_id, role_assignments__study_site__isnull=True) | Q(
        role_assignments__study_site__study_id=study_id
    )
    return User.objects.filter(on_study).distinct()


def _page_of_list(items: list, page: PageQuery) -> dict:
    """One page of a list worked out in Python, in the API's {count, limit, offset, items} shape."""
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


def _with_flags(entries: list[DelegationEntry]) -> list[DelegationEntry]:
    """Entries with `in_force` and `training_gaps` for today at their site (one training query)."""
    by_study: dict[int, list[DelegationEntry]] = {}
    for entry in entries:
        by_study.setdefault(entry.study_id, []).append(entry)
    for study_id, mine in by_study.items():
        version = selectors.current_protocol_version(study_id)
        facts = selectors.training_facts(study_id, {e.staff_member_id for e in mine})
        for entry in mine:
            today = entry.study_site.local_today()
            entry.in_force = entry.in_force_on(today)
            entry.training_gaps = rules.training_gaps(
                facts.get(entry.staff_member_id, []),
                on=today,
                protocol_version_id=version.pk if version else None,
                protocol_label=f"v{version.number}" if version else "",
                needs_system=bool(set(entry.tasks) & rules.SYSTEM_TASKS),
            )
    return entries
