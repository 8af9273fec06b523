"""A candidate institution's past performance in Trialdesk, from its sites in earlier (other) studies:
enrollment rate, activation time and protocol deviation rate.

Installation-wide aggregates by design (the issue asks for "the site's past performance in Trialdesk"),
as statistics.history reads them for recruitment priors: what leaves this module are three figures per
institution and the number of earlier sites behind them, never a study, a site or a participant.

- Enrollment rate: participants enrolled per month open (30.44 days), summed over the earlier sites
  (statistics.history.site_records: days open from activation to today, or to the study's last enrollment).
- Activation time: the median days from selection (or, with no selection on the status history, from
  identification) to activation (statistics.history.pending_site_starts reads the status history).
- Deviation rate: protocol deviations per enrolled participant at those sites.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystatistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from trialdesk.sites.models import StudySite
from trialdesk.statistics import history
from trialdesk.visits.models import ProtocolDeviation

DAYS_PER_MONTH = Decimal("30.44")


@dataclass(frozen=True)
class PastPerformance:
    earlier_sites: int
    enrollment_per_month: Decimal | None
    activation_days: int | None
    deviations_per_participant: Decimal | None


NO_HISTORY = PastPerformance(0, None, None, None)


def figures(
    *, enrolled: int, days_open: int, activation_days: list[int], deviations: int, sites: int
) -> PastPerformance:
    """The three figures from plain counts (pure): None where there is nothing to divide by."""
    rate = (
        None
        if days_open <= 0
        else (Decimal(enrolled) * DAYS_PER_MONTH / Decimal(days_open)).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    )
    median = None if not activation_days else round(pystatistics.median(activation_days))
    per_participant = (
        None
        if enrolled <= 0
        else (Decimal(deviations) / Decimal(enrolled)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    )
    return PastPerformance(sites, rate, median, per_participant)


def past_performance(institution_ids: set[int], *, excluding, as_of: dt.date) -> dict[int, PastPerformance]:
    """{institution id: PastPerformance} for the institutions that had a site activated in another study."""
    if not institution_ids:
        return {}
    earlier = list(
        StudySite.objects.filter(
            institution_id__in=institution_ids, activated_on__isnull=False, activated_on__lte=as_of
        )
        .exclude(study=excluding)
        .only("pk", "institution_id", "activated_on", "created_at")
    )
    if not earlier:
        return {}
    records = [
        r
        for r in history.site_records(excluding=excluding, as_of=as_of)
        if r.institution_id in institution_ids
    ]
    starts = history.pending_site_starts(earlier)
    starts.update({pk: ("selected", day) for pk, day in selected_on([s.pk for s in earlier]).items()})
    deviations = dict(
        ProtocolDeviation.objects.filter(study_site__in=[s.pk for s in earlier])
        .values("study_site__institution_id")
        .annotate(n=Count("pk"))
        .values_list("study_site__institution_id", "n")
    )
    result = {}
    for institution_id in {s.institution_id for s in earlier}:
        mine = [r for r in records if r.institution_id == institution_id]
        sites = [s for s in earlier if s.institution_id == institution_id]
        days = [(s.activated_on - starts[s.pk][1]).days for s in sites]
        result[institution_id] = figures(
            enrolled=sum(r.enrolled for r in mine),
            days_open=sum(r.exposure_days for r in mine),
            activation_days=[d for d in days if d >= 0],
            deviations=deviations.get(institution_id, 0),
            sites=len(sites),
        )
    return result


def selected_on(site_ids) -> dict[int, dt.date]:
    """{study site id: the day its selection was decided} from the selection decisions on record (a
    dated record, preferred to the day the status changed on the audit trail)."""
    from trialdesk.feasibility.models import SelectionDecision

    return dict(
        SelectionDecision.objects.filter(study_site_id__in=list(site_ids), outcome="selected").values_list(
            "study_site_id", "decided_on"
        )
    )
