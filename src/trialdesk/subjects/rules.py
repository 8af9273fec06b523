"""Pure rules for participants: status lifecycle, participant numbers, consent versions, enrollment."""

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext, ngettext

from trialdesk.core.extensions import AMBER, GREEN, RED

# --- participant status -----------------------------------------------------------------------

SCREENING = "screening"
ENROLLED = "enrolled"
RANDOMIZED = "randomized"
ON_TREATMENT = "on_treatment"
FOLLOW_UP = "follow_up"
COMPLETED = "completed"
WITHDRAWN = "withdrawn"
LOST_TO_FOLLOW_UP = "lost_to_follow_up"
DIED = "died"

LIFECYCLE = (SCREENING, ENROLLED, RANDOMIZED, ON_TREATMENT, FOLLOW_UP, COMPLETED)
# A participant in one of these is still taking part: they can leave, and need re-consent.
ACTIVE_STATUSES = frozenset({SCREENING, ENROLLED, RANDOMIZED, ON_TREATMENT, FOLLOW_UP})
# Ways of leaving the study early; each needs a date and a reason.
EARLY_END_STATUSES = (WITHDRAWN, LOST_TO_FOLLOW_UP, DIED)
ENDED_STATUSES = frozenset({COMPLETED, *EARLY_END_STATUSES})
# Statuses that count as enrolled for recruitment figures (everyone past screening, leavers included).
COUNTS_AS_ENROLLED = frozenset(set(LIFECYCLE[1:]) | set(EARLY_END_STATUSES))
# Steps a protocol may skip: a study without randomization treats enrolled participants directly,
# and one without a follow-up period completes participants at the end of treatment.
SKIPS = {ENROLLED: (ON_TREATMENT,), ON_TREATMENT: (COMPLETED,)}


# A participant is randomized when an allocation gives them an arm, and only then: the status follows the
# allocation (the randomization app's service), never a button, an API call or an import.
BY_ALLOCATION_ONLY = frozenset({RANDOMIZED})
RANDOMIZED_BY_ALLOCATION_ONLY = (
    "A participant becomes randomized only by being randomized (an allocation from the study's scheme), "
    "not by a status change."
)


def allowed_status_changes(current: str, *, by_allocation: bool = False) -> tuple[str, ...]:
    """Where a participant in `current` may go next: the next lifecycle step, or leave early. Randomized
    only `by_allocation` (the randomization service); a status change by hand never offers it."""
    if current not in ACTIVE_STATUSES:
        return ()
    following = LIFECYCLE[LIFECYCLE.index(current) + 1]
    allowed = (following, *SKIPS.get(current, ()), *EARLY_END_STATUSES)
    return allowed if by_allocation else tuple(s for s in allowed if s not in BY_ALLOCATION_ONLY)


def _label(status: str) -> str:
    return status.replace("_", " ")


def status_change_problem(current: str, target: str, *, by_allocation: bool = False) -> str | None:
    """Why a participant may not move from `current` to `target`, naming the allowed moves; None if it may."""
    allowed = allowed_status_changes(current, by_allocation=by_allocation)
    if target in allowed:
        return None
    if target in BY_ALLOCATION_ONLY and not by_allocation:
        return RANDOMIZED_BY_ALLOCATION_ONLY
    if not allowed:
        return gettext("A participant who is %(current)s cannot change status.") % {
            "current": _label(current)
        }
    names = ", ".join(_label(s) for s in allowed)
    return gettext("A participant who is %(current)s can move only to: %(names)s.") % {
        "current": _label(current),
        "names": names,
    }


def status_date_problem(*, on: date, today: date, last_change_on: date | None) -> str | None:
    """A status change is dated no later than the site's today and not before the previous change."""
    if on > today:
        return gettext("The date %(on)s is in the future (today at the site is %(today)s).") % {
            "on": on.isoformat(),
            "today": today.isoformat(),
        }
    if last_change_on and on < last_change_on:
        return gettext(
            "The date is before the participant's previous status change (%(last_change_on)s)."
        ) % {"last_change_on": last_change_on.isoformat()}
    return None


# --- consent versions -------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovedVersion:
    """A consent version approved at one site: in use there from whichever date comes later."""

    version_id: int
    language: str
    effective_on: date
    approved_on: date

    @property
    def in_use_from(self) -> date:
        return max(self.effective_on, self.approved_on)


def current_versions(approved: Iterable[ApprovedVersion], *, on: date) -> dict[str, ApprovedVersion]:
    """For each language, the consent version a site uses on `on`.

    Of the versions approved at the site and in effect by `on`, the one that took effect last
    (a later effective date; on a tie, the later approval, then the later record).
    """
    current: dict[str, ApprovedVersion] = {}
    for version in approved:
        if version.in_use_from > on:
            continue
        best = current.get(version.language)
        key = (version.effective_on, version.approved_on, version.version_id)
        if best is None or key > (best.effective_on, best.approved_on, best.version_id):
            current[version.language] = version
    return current


def consent_signing_problem(
    *, signed_on: date, today: date, version_id: int, language: str, approved: Iterable[ApprovedVersion]
) -> str | None:
    """Why a consent signed on `signed_on` on a version may not be recorded; None if it may.

    The date is not in the future, and the version is the one the site uses for its language on
    that date: approved at the site, in effect, and not replaced by a newer approved version.
    """
    if signed_on > today:
        return gettext(
            "The consent date %(signed_on)s is in the future (today at the site is %(today)s)."
        ) % {"signed_on": signed_on.isoformat(), "today": today}
    approved = list(approved)
    mine = next((v for v in approved if v.version_id == version_id), None)
    if mine is None:
        return gettext(
            "This consent version is not approved at this site: record the site's ethics approval first."
        )
    if mine.in_use_from > signed_on:
        return gettext("This consent version is in use at this site only from %(in_use_from)s.") % {
            "in_use_from": mine.in_use_from.isoformat()
        }
    current = current_versions(approved, on=signed_on).get(language)
    if current is not None and current.version_id != version_id:
        return gettext(
            "This consent version was replaced at this site on %(in_use_from)s: consent on "
            "the current version."
        ) % {"in_use_from": current.in_use_from.isoformat()}
    return None


def repeat_consent_problem(*, already_signed_on: Iterable[date], reason: str) -> str | None:
    """Why a person's further consent on a version they already signed may not be recorded (named on
    `reason`), or None: a second signature on the same version needs a reason (a corrected form, a
    signature missing from the first copy), so that a double entry is not mistaken for one."""
    earlier = sorted(already_signed_on)
    if not earlier or (reason or "").strip():
        return None
    return gettext(
        "This person already signed this consent version on %(earlier)s: give the reason "
        "for recording another consent on it."
    ) % {"earlier": earlier[-1].isoformat()}


def reconsent_due_on(*, in_use_from: date, window_days: int, next_visit_on: date | None) -> date:
    """The last day for re-consent: the participant's next scheduled visit or the end of the window
    (window_days after the new version came into use at the site), whichever comes first."""
    window_ends = in_use_from + timedelta(days=window_days)
    if next_visit_on is None:
        return window_ends
    return min(window_ends, next_visit_on)


# --- enrollment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedConsent:
    """A consent a person has signed: on which version, on which day (site time)."""

    version_id: int
    signed_on: date


def _enrollment_checks(
    *,
    enrolled_on: date,
    site_status: str,
    consents: Collection[SignedConsent],
    current_version_ids: Collection[int],
    site_enrolled: int,
    site_target: int,
    study_enrolled: int,
    study_target: int,
    allow_over_enrollment: bool,
) -> Iterator[tuple[str, str]]:
    if site_status != "enrolling":
        yield "study_site", f"The site is not enrolling (its status is {_label(site_status)})."
    on_current = [c for c in consents if c.version_id in current_version_ids]
    if not current_version_ids:
        yield "screening_entry", "No consent version is approved and in use at this site yet."
    elif not on_current:
        yield "screening_entry", "There is no consent on the consent version currently approved at this site."
    elif all(c.signed_on > enrolled_on for c in on_current):
        first = min(c.signed_on for c in on_current)
        yield "enrolled_on", f"The consent is dated {first.isoformat()}, after the enrollment date."
    if not allow_over_enrollment:
        if site_target and site_enrolled >= site_target:
            yield (
                "__all__",
                (
                    f"The site's target of {site_target} is reached ({site_enrolled} enrolled) "
                    "and the study does not allow over-enrollment."
                ),
            )
        if study_target and study_enrolled >= study_target:
            yield (
                "__all__",
                (
                    f"The study's target of {study_target} is reached ({study_enrolled} enrolled) "
                    "and the study does not allow over-enrollment."
                ),
            )


def enrollment_refusal_by_field(**facts) -> tuple[str, str] | None:
    """The first reason enrollment is refused with the field it concerns, or None; see enrollment_refusal."""
    return next(_enrollment_checks(**facts), None)


def enrollment_refusal(
    *,
    enrolled_on: date,
    site_status: str,
    consents: Collection[SignedConsent],
    current_version_ids: Collection[int],
    site_enrolled: int,
    site_target: int,
    study_enrolled: int,
    study_target: int,
    allow_over_enrollment: bool,
) -> str | None:
    """Why a screened person may not be enrolled on `enrolled_on`; None if they may.

    Refused when the site is not enrolling; when the person has no consent on a version the site
    currently uses; when that consent is dated after the enrollment; when the site's target (0: none
    set) or the study's target is reached and the study does not allow over-enrollment.
    """
    refusal = enrollment_refusal_by_field(
        enrolled_on=enrolled_on,
        site_status=site_status,
        consents=consents,
        current_version_ids=current_version_ids,
        site_enrolled=site_enrolled,
        site_target=site_target,
        study_enrolled=study_enrolled,
        study_target=study_target,
        allow_over_enrollment=allow_over_enrollment,
    )
    return refusal[1] if refusal else None


# --- screening --------------------------------------------------------------------------------

PASSED = "passed"
FAILED = "failed"
PENDING = "pending"
# Screen-failure reasons whose detail must say which criterion, or what happened.
REASONS_NEEDING_DETAIL = {
    "inclusion_not_met": "Say which inclusion criterion was not met.",
    "exclusion_met": "Say which exclusion criterion was met.",
    "other": "Describe the reason.",
}


def screening_outcome_problems(*, outcome: str, failure_reason: str, failure_detail: str) -> dict[str, str]:
    """Field problems of a screening outcome: a failure has a coded reason (with detail where it
    names a criterion or is 'other'); a pass or a pending screening has none."""
    if outcome == FAILED:
        if not failure_reason:
            return {"failure_reason": "A screen failure needs its reason."}
        need = REASONS_NEEDING_DETAIL.get(failure_reason)
        if need and not failure_detail.strip():
            return {"failure_detail": need}
        return {}
    if failure_reason:
        return {"failure_reason": "Only a screen failure has a screen-failure reason."}
    return {}


# --- diversity --------------------------------------------------------------------------------

_BAND = re.compile(r"^\s*(?:(\d{1,3})\s*-\s*(\d{1,3})|(\d{1,3})\s*\+|<\s*(\d{1,3})|>=\s*(\d{1,3}))\s*$")


def age_band_problem(band: str) -> str | None:
    """Why `band` is not an age band; bands are written 18-64, 65+, >=65 or <18 (years, ends included)."""
    match = _BAND.match(band or "")
    if not match:
        return gettext("Write an age band as 18-64, 65+, >=65 or <18.")
    low, high = match.group(1), match.group(2)
    if low is not None and int(low) > int(high):
        return gettext("The band's first age is above its last.")
    return None


def age_in_band(age: int, band: str) -> bool:
    """Whether an age in whole years falls in `band` (see age_band_problem for how bands are written)."""
    match = _BAND.match(band)
    if not match:
        return False
    low, high, plus, below, at_least = match.groups()
    if low is not None:
        return int(low) <= age <= int(high)
    if plus is not None:
        return age >= int(plus)
    if below is not None:
        return age < int(below)
    return age >= int(at_least)


# --- health: re-consent -----------------------------------------------------------------------

#: A pending re-consent due within this many days makes the study's compliance amber.
RECONSENT_SOON_DAYS = 7


def reconsent_health(
    due_dates: Iterable[tuple[date, bool]], *, today: date, soon_days: int = RECONSENT_SOON_DAYS
) -> tuple[str, str]:
    """(colour, why) of re-consent from the pending re-consents as (due on, overdue) pairs: red when one
    is overdue, amber when one is due within `soon_days`, green otherwise."""
    pending = list(due_dates)
    overdue = sum(1 for _, late in pending if late)
    soon = sum(1 for due_on, late in pending if not late and due_on <= today + timedelta(days=soon_days))
    if overdue:
        why = ngettext(
            "%(n)s participant overdue for re-consent", "%(n)s participants overdue for re-consent", overdue
        )
        return RED, why % {"n": overdue}
    if soon:
        why = ngettext(
            "%(n)s re-consent due within %(days)s days", "%(n)s re-consents due within %(days)s days", soon
        )
        return AMBER, why % {"n": soon, "days": soon_days}
    if pending:
        why = ngettext(
            "%(n)s re-consent pending, none due within %(days)s days",
            "%(n)s re-consents pending, none due within %(days)s days",
            len(pending),
        )
        return GREEN, why % {"n": len(pending), "days": soon_days}
    return GREEN, gettext("no re-consent pending")
