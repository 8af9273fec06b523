"""Pure rules for sites: the study-site status lifecycle, countries and time zones."""

from collections import deque
from functools import cache
from zoneinfo import available_timezones

import pycountry

# The ordinary path of a study site, from first being considered to close-out.
LIFECYCLE = (
    "identified",
    "under_feasibility",
    "selected",
    "start_up",
    "activated",
    "enrolling",
    "enrollment_closed",
    "closed",
)
ON_HOLD = "on_hold"
TERMINATED = "terminated"
FINAL_STATUSES = frozenset({"closed", TERMINATED})
OPEN_STATUSES = frozenset(s for s in LIFECYCLE if s not in FINAL_STATUSES)
# Statuses in which a site counts as active for the portfolio (it may see participants).
ACTIVE_STATUSES = frozenset({"activated", "enrolling", "enrollment_closed"})


def allowed_transitions(current: str, *, status_before_hold: str = "") -> tuple[str, ...]:
    """The statuses a site in `current` may move to next, in lifecycle order.

    Open sites move one step along the lifecycle, or to on hold or terminated. A site on hold
    resumes in the status it was put on hold from, or is terminated. Closed and terminated are final.
    """
    if current == ON_HOLD:
        return tuple(s for s in (status_before_hold, TERMINATED) if s)
    if current not in OPEN_STATUSES:
        return ()
    following = LIFECYCLE[LIFECYCLE.index(current) + 1]
    return (following, ON_HOLD, TERMINATED)


def transition_problem(current: str, target: str, *, status_before_hold: str = "") -> str | None:
    """Why a site may not move from `current` to `target`, naming the allowed moves; None if it may."""
    allowed = allowed_transitions(current, status_before_hold=status_before_hold)
    if target in allowed:
        return None
    label = current.replace("_", " ")
    if not allowed:
        return f"A site that is {label} cannot change status."
    names = ", ".join(s.replace("_", " ") for s in allowed)
    return f"A site that is {label} can move only to: {names}."


def site_status_path(current: str, target: str, *, status_before_hold: str = "") -> list[str] | None:
    """The shortest list of statuses a site passes through from `current` to reach `target`.

    Every step is an allowed lifecycle transition (allowed_transitions); [] when already there, None when the
    lifecycle offers no way (a closed site cannot reopen, for instance).
    """
    if current == target:
        return []
    start = (current, status_before_hold)
    came_from: dict[tuple[str, str], tuple[tuple[str, str], str] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        status, before_hold = state
        for following in allowed_transitions(status, status_before_hold=before_hold):
            hold = status if following == ON_HOLD else ""
            nxt = (following, hold)
            if nxt in came_from:
                continue
            came_from[nxt] = (state, following)
            if following == target:
                path = []
                step = nxt
                while came_from[step] is not None:
                    step, moved_to = came_from[step][0], came_from[step][1]
                    path.append(moved_to)
                return list(reversed(path))
            queue.append(nxt)
    return None


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_problem(name: str) -> str | None:
    if name in _time_zones():
        return None
    return f"'{name}' is not an IANA time zone (for example Europe/Berlin or America/New_York)."


def country_problem(code: str) -> str | None:
    if len(code or "") == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None:
        return None
    return f"'{code}' is not an ISO 3166-1 alpha-2 country code (for example DE, US, JP)."


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    return country.name if country else code


@cache
def country_choices() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1]))
