"""A study's health at a glance: the readings every registered health signal gives, one row per dimension.

Each app that owns the data measures its dimension (core.extensions.health_signals); several apps may
read the same dimension (ethics approvals, essential documents, re-consent and staff training are all
"compliance"), and `combine` folds their readings into one colour per dimension with every reason kept.
Core imports no app: the study overview's Health panel only iterates the registry.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from trialdesk.core import extensions
from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN, HealthReading

# The dimensions of SPEC.md (portfolio & study setup), in the order a CRM reads them. Their names and the
# colour words stay English here (the API gives them); the Health panel translates them as it draws them.
DIMENSIONS: dict[str, str] = {
    "enrollment": gettext_noop("Enrollment"),
    "timeline": gettext_noop("Timeline"),
    "budget": gettext_noop("Budget"),
    "safety": gettext_noop("Safety"),
    "compliance": gettext_noop("Compliance"),
    "quality": gettext_noop("Quality"),
}
COLOUR_WORDS = {
    RED: gettext_noop("Red"),
    AMBER: gettext_noop("Amber"),
    GREEN: gettext_noop("Green"),
    UNKNOWN: gettext_noop("Unknown"),
}
# Worst first. A dimension is green only when every reading in it is known to be green: a part that
# is unknown or hidden from the reader leaves the whole unknown, never green ("hidden is not zero").
SEVERITY = (RED, AMBER, UNKNOWN, GREEN)


def worst_colour(colours) -> str:
    """The worst of `colours` (red, amber, unknown, green in that order); unknown when there are none."""
    found = set(colours)
    return next((colour for colour in SEVERITY if colour in found), UNKNOWN)


@dataclass(frozen=True)
class Part:
    """One signal's reading inside a dimension, named by the signal's label."""

    label: str
    reading: HealthReading

    @property
    def colour_word(self) -> str:
        return COLOUR_WORDS.get(self.reading.colour, self.reading.colour)


@dataclass(frozen=True)
class Dimension:
    """A dimension's colour (the worst of its parts) and each part's reading, for the panel and the API."""

    key: str
    label: str
    colour: str
    parts: tuple[Part, ...]

    @property
    def colour_word(self) -> str:
        return COLOUR_WORDS.get(self.colour, self.colour)


def combine(parts: list[Part]) -> list[Dimension]:
    """The parts grouped by dimension (SPEC order, then first seen), each with its worst colour."""
    grouped: dict[str, list[Part]] = {}
    for part in parts:
        grouped.setdefault(part.reading.dimension, []).append(part)
    order = list(DIMENSIONS)
    keys = sorted(grouped, key=lambda key: order.index(key) if key in order else len(order))
    return [
        Dimension(
            key=key,
            label=DIMENSIONS.get(key, key.replace("_", " ").capitalize()),
            colour=worst_colour(part.reading.colour for part in grouped[key]),
            parts=tuple(grouped[key]),
        )
        for key in keys
    ]


def overall_colour(dimensions: list[Dimension]) -> str:
    """The study's (or site's) one colour: red when any dimension is red; amber when any is amber or
    unknown (a dimension nobody can confirm, or hidden from this reader, keeps it from green); green
    only when every dimension is known to be green. Never unknown: with no dimension at all it is amber."""
    colours = {dimension.colour for dimension in dimensions}
    if RED in colours:
        return RED
    if not colours or colours - {GREEN}:
        return AMBER
    return GREEN


def study_health(user, study, today=None) -> list[Dimension]:
    """Every registered signal's reading of `study` for `user` (who must already be allowed to see the
    study), combined by dimension."""
    today = today or timezone.localdate()
    parts = [Part(signal.label, signal.read(user, study, today)) for signal in extensions.health_signals]
    return combine(parts)


def site_health(user, study_site, today=None) -> list[Dimension]:
    """The readings of the signals that can judge one study site (`read_site`), combined by dimension;
    `today` defaults to the site's own local day."""
    today = today or study_site.local_today()
    parts = [
        Part(signal.label, signal.read_site(user, study_site, today))
        for signal in extensions.health_signals
        if signal.read_site is not None
    ]
    return combine(parts)


def health_panel(request, study) -> dict | None:
    """The study overview's Health panel: one row per dimension (the study page has checked scope)."""
    dimensions = study_health(request.user, study)
    return {"health_dimensions": dimensions} if dimensions else None


def site_health_panel(request, study_site) -> dict | None:
    """A study site page's Health panel: the dimensions the apps can judge per site."""
    dimensions = site_health(request.user, study_site)
    return {"health_dimensions": dimensions, "health_of_site": True} if dimensions else None


def hidden_reading(dimension: str, what: str, url: str = "") -> HealthReading:
    """The reading for a reader who may not see the subject-level records a signal counts
    (core.permissions.can_see_subject_level): unknown, and it says so ("hidden is not zero")."""
    why = gettext("hidden: %(what)s are subject-level data you may not see") % {"what": gettext(what)}
    return HealthReading(dimension, UNKNOWN, why, url)
