""" "My work": what is due for the signed-in person across their studies, from every registered source.

Each app contributes what it owns (core.extensions.my_work: obligations to submit, re-consents, approvals
to renew, training, signatures, documents); core imports no app. A source returns only the person's own
work, among records they may see; this page and `GET /api/v1/me/work` sort it (overdue first, then soonest
due), and the page groups it by when it is due (overdue, today, this week, later), narrowed by study or kind.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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


# Where an item's due day falls, most urgent first: the page's sections.
WHEN = (
    ("overdue", _("Overdue")),
    ("today", _("Due today")),
    ("this_week", _("Due this week")),
    ("later", _("Later")),
)
WEEK = dt.timedelta(days=7)


def when(item: WorkItem, today: dt.date) -> str:
    """Overdue (as its source judged, at the site's or party's own day), due today, within the next seven
    days, or later."""
    if item.overdue:
        return "overdue"
    if item.due_on <= today:
        return "today"
    return "this_week" if item.due_on <= today + WEEK else "later"


@dataclass(frozen=True)
class WorkGroup:
    """The items due in one stretch of time (overdue, today, this week, later), most urgent first."""

    key: str
    label: str
    items: tuple[WorkItem, ...]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def rows(self) -> list[tuple[WorkItem, str]]:
        """Each item with the label of its kind."""
        return [(item, kind_label(item.kind)) for item in self.items]


def grouped(items: list[WorkItem], today: dt.date) -> list[WorkGroup]:
    """Sorted items in their stretch of time; stretches with nothing due are left out."""
    found: dict[str, list[WorkItem]] = {key: [] for key, _ in WHEN}
    for item in items:
        found[when(item, today)].append(item)
    return [WorkGroup(key, label, tuple(found[key])) for key, label in WHEN if found[key]]


def kind_label(kind: str) -> str:
    source = extensions.my_work.get(kind)
    return source.label if source else kind.replace("_", " ").capitalize()


class WorkFilterForm(forms.Form):
    """Narrow the list to one study or one kind of work (among those the person has work in)."""

    study = forms.ChoiceField(label=_("Study"), required=False)
    kind = forms.ChoiceField(label=_("Kind of work"), required=False)

    def __init__(self, data, *, items: list[WorkItem]):
        super().__init__(data)
        studies = sorted({item.study_code for item in items if item.study_code})
        kinds = sorted({item.kind for item in items}, key=kind_label)
        self.fields["study"].choices = [("", _("Every study")), *((code, code) for code in studies)]
        self.fields["kind"].choices = [
            ("", _("Every kind")),
            *((kind, _(kind_label(kind))) for kind in kinds),
        ]

    def narrow(self, items: list[WorkItem]) -> list[WorkItem]:
        if not self.is_valid():
            return items
        study, kind = self.cleaned_data["study"], self.cleaned_data["kind"]
        return [i for i in items if (not study or i.study_code == study) and (not kind or i.kind == kind)]


def kind_counts(items: list[WorkItem]) -> list[tuple[str, str, int]]:
    """(kind, label, how many) of each kind of work the person has, the most common first."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return sorted(((k, kind_label(k), n) for k, n in counts.items()), key=lambda row: (-row[2], row[1]))


@login_required
@require_safe
def my_work(request):
    """The person's work, soonest first, in stretches of time (overdue, today, this week, later), narrowed
    by study or kind; each item links to where it is done. "Today" is the person's own day, in the time
    zone they chose (UTC until they do), named on the page."""
    zone = request.user.time_zone or "UTC"
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(zone))
    everything = work_for(request.user, today)
    filters = WorkFilterForm(request.GET, items=everything)
    items = filters.narrow(everything)
    context = {
        "groups": grouped(items, today),
        "filters_form": filters,
        "kinds": kind_counts(everything),
        "count": len(items),
        "total": len(everything),
        "overdue": sum(1 for item in items if item.overdue),
        "today": today,
        "zone": zone,
        "nav": "my_work",
    }
    return TemplateResponse(request, "core/my_work.html", context)
