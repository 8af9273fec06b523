"""The recruitment funnel: screened, screen-failed and enrolled per site, country and study."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from trialdesk.core.models import User
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.sites.models import StudySite
from trialdesk.subjects import rules
from trialdesk.subjects.models import Participant, ScreenFailureReason, ScreeningEntry


@dataclass(frozen=True)
class FunnelRow:
    """Screened, screen-failed and enrolled people for a site, a country or the study."""

    label: str
    screened: int = 0
    screen_failed: int = 0
    in_screening: int = 0
    enrolled: int = 0
    target: int = 0

    @property
    def screen_failure_percent(self) -> float | None:
        decided = self.screened - self.in_screening
        return 100 * self.screen_failed / decided if decided else None

    def plus(self, other: "FunnelRow", label: str) -> "FunnelRow":
        return FunnelRow(
            label=label,
            screened=self.screened + other.screened,
            screen_failed=self.screen_failed + other.screen_failed,
            in_screening=self.in_screening + other.in_screening,
            enrolled=self.enrolled + other.enrolled,
            target=self.target + other.target,
        )


@dataclass(frozen=True)
class RankedReason:
    reason: str
    label: str
    detail: str
    count: int
    percent: float


@dataclass(frozen=True)
class Funnel:
    sites: list[tuple[StudySite, FunnelRow]]
    countries: list[FunnelRow]
    study: FunnelRow
    reasons: list[RankedReason]  # screen-failure reasons, most frequent first
    criteria: list[RankedReason]  # which inclusion / exclusion criteria failed, most frequent first


def recruitment_funnel(user: User, study) -> Funnel:
    """Screened / screen-failed / enrolled per site, country and study, and screen-failure reasons ranked.

    Aggregate figures: a sponsor viewer counts what they may not read, but gets no free-text detail of
    a failure (the criteria ranking), which is written about one person."""
    sites = list(
        StudySite.objects.visible_to(user)
        .filter(study=study)
        .select_related("institution")
        .order_by("site_number")
    )
    entries = ScreeningEntry.objects.countable_by(user).filter(study=study)
    outcomes = defaultdict(dict)
    for site_id, outcome, n in (
        entries.values("study_site_id", "outcome")
        .annotate(n=Count("id"))
        .values_list("study_site_id", "outcome", "n")
    ):
        outcomes[site_id][outcome] = n
    enrolled = dict(
        Participant.objects.countable_by(user)
        .filter(study=study, status__in=rules.COUNTS_AS_ENROLLED)
        .values("study_site_id")
        .annotate(n=Count("id"))
        .values_list("study_site_id", "n")
    )
    rows = []
    for site in sites:
        counts = outcomes.get(site.pk, {})
        row = FunnelRow(
            label=site.site_number,
            screened=sum(counts.values()),
            screen_failed=counts.get(rules.FAILED, 0),
            in_screening=counts.get(rules.PENDING, 0),
            enrolled=enrolled.get(site.pk, 0),
            target=site.target_enrollment,
        )
        rows.append((site, row))
    countries: dict[str, FunnelRow] = {}
    for site, row in rows:
        code = site.institution.country
        label = f"{code} · {site.institution.country_name}"
        countries[code] = countries.get(code, FunnelRow(label=label)).plus(row, label)
    total = FunnelRow(label=study.code)
    for _, row in rows:
        total = total.plus(row, study.code)
    # The study's target is its planned enrollment, not the sum of its sites' targets.
    total = FunnelRow(**{**total.__dict__, "target": study.planned_enrollment})
    ineligible = entries.filter(
        outcome=rules.FAILED, failure_reason__in=("inclusion_not_met", "exclusion_met")
    )
    return Funnel(
        sites=rows,
        countries=[countries[c] for c in sorted(countries)],
        study=total,
        reasons=_ranked_reasons(entries.filter(outcome=rules.FAILED), by_detail=False),
        criteria=_ranked_reasons(ineligible, by_detail=True) if can_see_subject_level(user, study.pk) else [],
    )


def _ranked_reasons(failures: QuerySet[ScreeningEntry], *, by_detail: bool) -> list[RankedReason]:
    labels = dict(ScreenFailureReason.choices)
    fields = ("failure_reason", "failure_detail") if by_detail else ("failure_reason",)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in failures.values(*fields).annotate(n=Count("id")).values_list(*fields, "n"):
        reason, detail = row[0], (row[1].strip() if by_detail else "")
        counts[(reason, detail)] += row[-1]
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], labels.get(pair[0][0], ""), pair[0][1]))
    return [
        RankedReason(
            reason=reason, label=labels.get(reason, reason), detail=detail, count=n, percent=100 * n / total
        )
        for (reason, detail), n in ranked
    ]


def recruitment_numbers(user: User, study) -> dict[str, int]:
    """The study overview's participant figures, over the sites the user may see (two queries).

    Aggregate figures name no participant: a sponsor viewer counts what they may not read."""
    outcomes = dict(
        ScreeningEntry.objects.countable_by(user)
        .filter(study=study)
        .values("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    statuses = dict(
        Participant.objects.countable_by(user)
        .filter(study=study)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "screened": sum(outcomes.values()),
        "screen_failed": outcomes.get(rules.FAILED, 0),
        "enrolled": sum(n for status, n in statuses.items() if status in rules.COUNTS_AS_ENROLLED),
        "active": sum(
            n for status, n in statuses.items() if status in rules.ACTIVE_STATUSES - {rules.SCREENING}
        ),
    }
