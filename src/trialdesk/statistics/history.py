"""What earlier recruitment in Trialdesk says about a study that has little data of its own: the rates
other studies' sites achieved, and how long sites took from identification or selection to activation.

Reads only. These are installation-wide aggregates by design (the issue asks for "the rates the same
sites or the same therapeutic area achieved in earlier studies in Trialdesk"): what leaves this module
is a fitted rate distribution or a set of cycle times, never a study, a site or a participant of a study
the reader may not see; and a rate prior needs at least two sites (rules.MIN_HISTORY_SITES), so no
single other site's rate can be read back from it.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max

from trialdesk.core.models import AuditEvent
from trialdesk.sites.models import SiteStatus, StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant, ParticipantStatus

RECRUITING = frozenset({SiteStatus.ACTIVATED, SiteStatus.ENROLLING, SiteStatus.ON_HOLD})


@dataclass(frozen=True)
class SiteRecord:
    """One site of another study: where it is, what it recruited, over how many days."""

    study_id: int
    institution_id: int
    therapeutic_area: str
    enrolled: int
    exposure_days: int


@dataclass(frozen=True)
class CycleTimes:
    """Days from identification (the site's creation) and from selection to activation, per site."""

    from_identified: tuple[int, ...]
    from_selected: tuple[int, ...]


def site_records(*, excluding: Study, as_of: dt.date) -> list[SiteRecord]:
    """Every site of the other studies activated by ``as_of``, with its recruits and days open.

    A site still recruiting counts its days up to ``as_of``; one that stopped counts them up to its
    study's last enrollment (Trialdesk keeps no closing date); a site with no day open is left out.
    Three queries whatever the number of studies.
    """
    sites = list(
        StudySite.objects.exclude(study=excluding)
        .filter(activated_on__isnull=False, activated_on__lt=as_of)
        .values("pk", "study_id", "institution_id", "study__therapeutic_area", "status", "activated_on")
    )
    counted = Participant.objects.filter(
        study_site_id__in=[s["pk"] for s in sites], enrolled_on__isnull=False, enrolled_on__lte=as_of
    ).exclude(status=ParticipantStatus.SCREENING)
    enrolled = dict(counted.values("study_site_id").annotate(n=Count("pk")).values_list("study_site_id", "n"))
    last_in = dict(
        counted.values("study_id").annotate(last=Max("enrolled_on")).values_list("study_id", "last")
    )
    records = []
    for site in sites:
        until = as_of if site["status"] in RECRUITING else last_in.get(site["study_id"])
        days = 0 if until is None else (until - site["activated_on"]).days
        if days > 0:
            records.append(
                SiteRecord(
                    study_id=site["study_id"],
                    institution_id=site["institution_id"],
                    therapeutic_area=site["study__therapeutic_area"],
                    enrolled=enrolled.get(site["pk"], 0),
                    exposure_days=days,
                )
            )
    return records


def cycle_times(*, as_of: dt.date) -> CycleTimes:
    """Start-up cycle times of every site activated by ``as_of``, from the site status history.

    Identification is the day the site was created; selection the first day its status became
    "selected" on the audit trail. Times that are negative (a site entered after the fact, with an
    activation date in the past) are not cycle times and are left out. Two queries.
    """
    activated, created = {}, {}
    for pk, activated_on, created_at in StudySite.objects.filter(
        activated_on__isnull=False, activated_on__lte=as_of
    ).values_list("pk", "activated_on", "created_at"):
        activated[pk], created[pk] = activated_on, created_at.date()
    return CycleTimes(
        from_identified=_positive(activated, created),
        from_selected=_positive(activated, _first_selected(_status_changes())),
    )


def pending_site_starts(sites: list[StudySite]) -> dict[int, tuple[str, dt.date]]:
    """For each pending site, ("selected" or "identified", the day its start-up clock started)."""
    starts = {site.pk: ("identified", site.created_at.date()) for site in sites}
    events = _status_changes().filter(object_id__in=[str(site.pk) for site in sites])
    for pk, day in _first_selected(events).items():
        starts[pk] = ("selected", day)
    return starts


def _status_changes():
    return AuditEvent.objects.filter(
        object_type="sites.studysite", action="studysite.status_changed"
    ).values_list("object_id", "occurred_at", "changes")


def _first_selected(events) -> dict[int, dt.date]:
    """Each site's first day on the audit trail with its status changed to "selected"."""
    selected: dict[int, dt.date] = {}
    for object_id, occurred_at, changes in events.order_by("id"):
        status = (changes or {}).get("status") or [None, None]
        if status[-1] == SiteStatus.SELECTED and object_id.isdigit():
            selected.setdefault(int(object_id), occurred_at.date())
    return selected


def _positive(activated: dict[int, dt.date], started: dict[int, dt.date]) -> tuple[int, ...]:
    days = ((activated[pk] - start).days for pk, start in started.items() if pk in activated)
    return tuple(sorted(d for d in days if d >= 0))
