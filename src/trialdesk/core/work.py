""" "My work": what is due for the signed-in person across their studies, from every registered source.

Each app contributes what it owns (core.extensions.my_work: obligations to submit, re-consents, approvals
to renew, training, signatures, documents); core imports no app. A source returns only the person's own
work, among records they may see; this page and `GET /api/v1/me/work` sort and group it.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from trialdesk.core import extensions
from trialdesk.core.extensions import WorkItem


def urgency(item: WorkItem) -> tuple:
    """Overdue first, then soonest due; ties by study and title so the order is stable."""
    return (not item.overdue, item.due_on, item.study_code, item.title)


def work_for(user, today=None) -> list[WorkItem]:
    """Every source's items for `user`, most urgent first."""
    today = today or timezone.localdate()
    items = [item for source in extensions.my_work for item in source.items(user, today)]
    return sorted(items, key=urgency)


@dataclass(frozen=True)
class WorkGroup:
    """The items of one kind (one source), most urgent first, with how many there are and are overdue."""

    kind: str
    label: str
    items: tuple[WorkItem, ...]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


def grouped(items: list[WorkItem]) -> list[WorkGroup]:
    """Sorted items grouped by kind; the group holding the most urgent item comes first."""
    by_kind: dict[str, list[WorkItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    groups = []
    for kind, found in by_kind.items():
        source = extensions.my_work.get(kind)
        groups.append(
            WorkGroup(kind, source.label if source else kind.replace("_", " ").capitalize(), tuple(found))
        )
    return groups


@login_required
@require_safe
def my_work(request):
    """The person's work, soonest first, grouped by kind; each item links to where it is done."""
    items = work_for(request.user)
    context = {
        "groups": grouped(items),
        "count": len(items),
        "overdue": sum(1 for item in items if item.overdue),
        "today": timezone.localdate(),
        "nav": "my_work",
    }
    return TemplateResponse(request, "core/my_work.html", context)
