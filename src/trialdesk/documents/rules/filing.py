"""Filing checks of essential documents, their expiry, the TMF's completeness and the health it gives."""

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.documents import reference
from trialdesk.documents.rules.expectations import COUNTRY, LEVELS, SITE, TRIAL

# States of an expected document.
PRESENT, EXPIRING, EXPIRED, MISSING = "present", "expiring", "expired", "missing"
STATES = (PRESENT, EXPIRING, EXPIRED, MISSING)


# Filing checks -----------------------------------------------------------------------------------------


def filing_problem(*, artifact_number: str, level: str, has_site: bool, country: str) -> dict[str, str]:
    """What is wrong with filing a document against this artifact at this level ({} when nothing)."""
    item = reference.artifact(artifact_number)
    if item is None:
        version = reference.model_version()
        return {
            "artifact_number": f"There is no artifact {artifact_number!r} in the TMF Reference Model "
            f"v{version}."
        }
    if level not in LEVELS:
        return {"level": "Choose trial, country or site."}
    if level not in item.levels:
        where = ", ".join(item.levels) or "no level"
        return {"level": f"{item.label} is not filed at {level} level (the model files it at: {where})."}
    if level == SITE and not has_site:
        return {"study_site": "A site-level document needs its site."}
    if level != SITE and has_site:
        return {"study_site": f"A {level}-level document belongs to no site."}
    if level == COUNTRY and not country:
        return {"country": "A country-level document needs its country."}
    if level == TRIAL and country:
        return {"country": "A trial-level document belongs to no country."}
    return {}


def expiry_problem(document_date: dt.date | None, expires_on: dt.date | None) -> str:
    if document_date and expires_on and expires_on < document_date:
        return gettext("The expiry date is before the document's date.")
    return ""


def expiry_state(expires_on: dt.date | None, *, today: dt.date, warning_days: int) -> str:
    """present, expiring (expires within `warning_days`) or expired; `expires_on` is the last valid day."""
    if expires_on is None:
        return PRESENT
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + dt.timedelta(days=warning_days):
        return EXPIRING
    return PRESENT


def completeness(states: Iterable[str]) -> tuple[int, int]:
    """(documents on file and in date, documents expected); an expired document counts as not on file."""
    states = list(states)
    return sum(1 for s in states if s in (PRESENT, EXPIRING)), len(states)


# Health: essential documents --------------------------------------------------------------------------

#: Missing documents above this share of the expected list (in percent) make compliance red.
MISSING_RED_PERCENT = 20


def documents_health(
    *,
    expected: int,
    missing: int,
    expired: int,
    expiring: int,
    red_missing_percent: int = MISSING_RED_PERCENT,
) -> tuple[str, str]:
    """(colour, why) of a study's essential documents: red when one has expired or more than
    `red_missing_percent` of those expected are missing, amber when any is missing or expiring, green when
    all are on file and in date; unknown while nothing is expected yet."""
    if not expected:
        return UNKNOWN, gettext("no essential documents expected yet")
    counts = [
        gettext(what) % {"count": n}
        for n, what in (
            (missing, gettext_noop("%(count)s missing")),
            (expired, gettext_noop("%(count)s expired")),
            (expiring, gettext_noop("%(count)s expiring")),
        )
        if n
    ]
    if not counts:
        return GREEN, gettext("all %(expected)s expected documents on file and in date") % {
            "expected": expected
        }
    why = gettext("%(counts)s of %(expected)s expected documents") % {
        "counts": ", ".join(counts),
        "expected": expected,
    }
    if expired or missing * 100 > red_missing_percent * expected:
        return RED, why
    return AMBER, why
