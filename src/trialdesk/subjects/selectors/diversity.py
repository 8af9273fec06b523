"""The study's diversity plan against its enrolled participants."""

from collections import defaultdict
from dataclasses import dataclass

from trialdesk.core.models import User
from trialdesk.sites.rules import country_name
from trialdesk.subjects import rules
from trialdesk.subjects.models import DIVERSITY_CATEGORIES, DiversityDimension, DiversityTarget, Participant


@dataclass(frozen=True)
class DiversityRow:
    """One target of the diversity plan against the enrolled participants."""

    target: DiversityTarget
    count: int
    percent: float | None  # None while nobody is enrolled

    @property
    def gap(self) -> float | None:
        return None if self.percent is None else self.percent - float(self.target.target_percent)

    @property
    def below_target(self) -> bool:
        return self.gap is not None and self.gap < 0


@dataclass(frozen=True)
class Breakdown:
    """Enrolled participants by the categories of one dimension, and how many did not report it."""

    dimension: str
    groups: list[tuple[str, int, float]]  # (label, count, percent of enrolled)
    not_reported: int


@dataclass(frozen=True)
class DiversityComparison:
    enrolled: int
    rows: list[DiversityRow]
    breakdowns: list[Breakdown]


DEFAULT_AGE_BANDS = ("<18", "18-44", "45-64", "65+")


def _in_group(values: dict, dimension: str, group: str) -> bool:
    if dimension == DiversityDimension.AGE:
        return values["age_at_consent"] is not None and rules.age_in_band(values["age_at_consent"], group)
    field = DIVERSITY_FIELDS[dimension]
    return values[field] == group


DIVERSITY_FIELDS = {
    DiversityDimension.SEX: "sex",
    DiversityDimension.AGE: "age_at_consent",
    DiversityDimension.ETHNICITY: "ethnicity",
    DiversityDimension.RACE: "race",
    DiversityDimension.COUNTRY: "country",
}


def diversity_comparison(user: User, study) -> DiversityComparison:
    """The study's diversity plan against its enrolled participants at the sites the user may see (two
    queries): aggregate figures, which a sponsor viewer sees too."""
    people = list(
        Participant.objects.countable_by(user)
        .filter(study=study, status__in=rules.COUNTS_AS_ENROLLED)
        .values(*DIVERSITY_FIELDS.values())
    )
    enrolled = len(people)

    def percent(count: int) -> float | None:
        return 100 * count / enrolled if enrolled else None

    targets = list(DiversityTarget.objects.visible_to(user).filter(study=study))
    rows = []
    for target in targets:
        count = sum(1 for values in people if _in_group(values, target.dimension, target.group))
        rows.append(DiversityRow(target=target, count=count, percent=percent(count)))
    return DiversityComparison(enrolled=enrolled, rows=rows, breakdowns=_breakdowns(people, targets, percent))


def _breakdowns(people: list[dict], targets: list[DiversityTarget], percent) -> list[Breakdown]:
    found = []
    for dimension, field in DIVERSITY_FIELDS.items():
        reported = [values for values in people if values[field] not in ("", None)]
        if dimension == DiversityDimension.AGE:
            bands = [t.group for t in targets if t.dimension == dimension] or list(DEFAULT_AGE_BANDS)
            counts = {band: sum(1 for v in reported if rules.age_in_band(v[field], band)) for band in bands}
        else:
            counts = defaultdict(int)
            for values in reported:
                counts[values[field]] += 1
        labels = DIVERSITY_CATEGORIES.get(dimension, {})
        groups = [
            (
                country_name(key) if dimension == DiversityDimension.COUNTRY else labels.get(key, key),
                n,
                percent(n),
            )
            for key, n in sorted(counts.items(), key=lambda pair: -pair[1])
        ]
        label = DiversityDimension(dimension).label
        found.append(Breakdown(dimension=label, groups=groups, not_reported=len(people) - len(reported)))
    return found
