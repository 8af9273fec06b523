"""A site's risk tier from its KRI flags and open issues — a rule of Trialdesk's own, kept as data so a
study team can read it on the site page (no published standard fixes these numbers).

| what the site has            | points each |
|------------------------------|-------------|
| red KRI flag (score ±2)      | 2           |
| amber KRI flag (score ±1)    | 1           |
| open critical issue          | 3           |
| open major issue             | 2           |
| open minor issue             | 1           |

| points    | tier   |
|-----------|--------|
| 4 or more | high   |
| 2 – 3     | medium |
| 0 – 1     | low    |

A tier the CRM sets by hand (the site's monitoring set-up) takes precedence, and says so.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

POINTS = {"red_flag": 2, "amber_flag": 1, "critical": 3, "major": 2, "minor": 1}
THRESHOLDS = ((4, "high"), (2, "medium"), (0, "low"))
SEVERITY_WORDS = {"critical": "critical", "major": "major", "minor": "minor"}


@dataclass(frozen=True)
class TierReading:
    tier: str
    points: int
    reasons: tuple[str, ...]
    set_by_hand: bool = False


def tier_for_points(points: int) -> str:
    return next(tier for least, tier in THRESHOLDS if points >= least)


def site_tier(
    *,
    red_flags: tuple[str, ...] = (),
    amber_flags: tuple[str, ...] = (),
    open_issues: dict[str, int] | None = None,
    override: str = "",
) -> TierReading:
    """The site's tier and why: each flagged KRI (by name) and each open issue count with its points."""
    open_issues = open_issues or {}
    red, amber = gettext("red flag: %(name)s (+%(points)s)"), gettext("amber flag: %(name)s (+%(points)s)")
    reasons = [red % {"name": name, "points": POINTS["red_flag"]} for name in red_flags]
    reasons += [amber % {"name": name, "points": POINTS["amber_flag"]} for name in amber_flags]
    points = POINTS["red_flag"] * len(red_flags) + POINTS["amber_flag"] * len(amber_flags)
    for severity in ("critical", "major", "minor"):
        count = open_issues.get(severity, 0)
        if count:
            points += POINTS[severity] * count
            reasons.append(
                _open_issues(severity, count) % {"count": count, "points": POINTS[severity] * count}
            )
    if override:
        given = gettext("set by the CRM (the flags and issues give %(points)s points)") % {"points": points}
        return TierReading(override, points, (given,), True)
    return TierReading(
        tier_for_points(points), points, tuple(reasons) or (gettext("no flags, no open issues"),)
    )


def _open_issues(severity: str, count: int) -> str:
    if severity == "critical":
        return ngettext(
            "%(count)s open critical issue (+%(points)s)",
            "%(count)s open critical issues (+%(points)s)",
            count,
        )
    if severity == "major":
        return ngettext(
            "%(count)s open major issue (+%(points)s)", "%(count)s open major issues (+%(points)s)", count
        )
    return ngettext(
        "%(count)s open minor issue (+%(points)s)", "%(count)s open minor issues (+%(points)s)", count
    )
