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
    reasons = [f"red flag: {name} (+{POINTS['red_flag']})" for name in red_flags]
    reasons += [f"amber flag: {name} (+{POINTS['amber_flag']})" for name in amber_flags]
    points = POINTS["red_flag"] * len(red_flags) + POINTS["amber_flag"] * len(amber_flags)
    for severity in ("critical", "major", "minor"):
        count = open_issues.get(severity, 0)
        if count:
            points += POINTS[severity] * count
            plural = "s" if count > 1 else ""
            reasons.append(f"{count} open {severity} issue{plural} (+{POINTS[severity] * count})")
    if override:
        return TierReading(
            override, points, (f"set by the CRM (the flags and issues give {points} points)",), True
        )
    return TierReading(tier_for_points(points), points, tuple(reasons) or ("no flags, no open issues",))
