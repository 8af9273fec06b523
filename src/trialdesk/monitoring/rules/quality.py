"""Risk-based quality management rules: risk scores and tiers, QTL status, issue moves, KRI signals.

Risk score (TransCelerate RACT): likelihood × impact × detectability, each 1–3, so 1–27. The tier is
Trialdesk's split of the ten possible products:

| score            | tier   |
|------------------|--------|
| 18, 27           | high   |
| 8, 9, 12         | medium |
| 1, 2, 3, 4, 6    | low    |

QTL status (ICH E6(R3) 3.10.1.5): above the limit is a breach (an issue is opened and explained),
above the secondary limit a warning; a parameter with nothing to count yet has no status ("no_data":
hidden is not zero).

Issue moves:

| issue               | to                  | needs                                                      |
|---------------------|---------------------|------------------------------------------------------------|
| open                | capa                | a root cause and a corrective action                       |
| open                | closed              | only a minor issue may close without CAPA                  |
| capa                | effectiveness_check | a preventive action and the day effectiveness is checked   |
| effectiveness_check | closed              | effectiveness "effective"                                  |
| effectiveness_check | capa                | effectiveness "not_effective" (the CAPA starts over)       |

Signals: a red KRI flag (score beyond ±2 on gsm's thresholds, flag ±2) opens a signal, unless the site
has one for the same KRI still open or triaged, or closed less than SIGNAL_QUIET_DAYS ago. A triage
decides a for-cause visit, a remote review, an action item, or no action — the last needs a rationale
and closes the signal.
"""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext

RACT_TIERS = ((18, "high"), (8, "medium"), (1, "low"))
WITHIN, SECONDARY, BREACH, NO_DATA = "within", "secondary", "breach", "no_data"
OPEN, CAPA, CHECK, CLOSED = "open", "capa", "effectiveness_check", "closed"
ISSUE_MOVES = {OPEN: (CAPA, CLOSED), CAPA: (CHECK,), CHECK: (CLOSED, CAPA), CLOSED: ()}
RED_FLAG = 2
SIGNAL_QUIET_DAYS = 30
NO_ACTION = "no_action"
SIGNAL_DECISIONS = ("for_cause_visit", "remote_review", "action_item", NO_ACTION)


def risk_score(likelihood: int, impact: int, detectability: int) -> int:
    return likelihood * impact * detectability


def risk_tier(score: int) -> str:
    return next(tier for least, tier in RACT_TIERS if score >= least)


def percent(numerator: float, denominator: float) -> float | None:
    """numerator / denominator in per cent, None when there is nothing to count."""
    return None if not denominator else round(100 * numerator / denominator, 2)


def qtl_status(
    value: float | None, *, limit: Decimal | float, secondary_limit: Decimal | float | None
) -> str:
    if value is None:
        return NO_DATA
    if value > float(limit):
        return BREACH
    if secondary_limit is not None and value > float(secondary_limit):
        return SECONDARY
    return WITHIN


def issue_move_problems(
    *,
    current: str,
    to: str,
    severity: str,
    root_cause: str,
    corrective_action: str,
    preventive_action: str,
    effectiveness_check_on: dt.date | None,
    effectiveness: str,
) -> dict[str, str]:
    """Why an issue may not move from `current` to `to`, by field (empty when it may)."""
    if to not in ISSUE_MOVES.get(current, ()):
        allowed = ", ".join(ISSUE_MOVES.get(current, ())) or gettext("nothing (it is closed)")
        text = gettext("An issue in %(status)s may move to %(allowed)s.")
        return {"to": text % {"status": current.replace("_", " "), "allowed": allowed}}
    problems = {}
    if to == CAPA and current == OPEN:
        if not root_cause.strip():
            problems["root_cause"] = gettext("Give the root cause before starting the CAPA.")
        if not corrective_action.strip():
            problems["corrective_action"] = gettext("Give the corrective action.")
    elif to == CLOSED and current == OPEN:
        if severity != "minor":
            problems["to"] = gettext(
                "A major or critical issue closes only after its CAPA and an effectiveness check."
            )
    elif to == CHECK:
        if not preventive_action.strip():
            problems["preventive_action"] = gettext("Give the preventive action.")
        if effectiveness_check_on is None:
            problems["effectiveness_check_on"] = gettext("Give the day the effectiveness is to be checked.")
    elif to == CLOSED and effectiveness != "effective":
        problems["effectiveness"] = gettext(
            "Record the CAPA as effective before closing (else back to CAPA)."
        )
    elif to == CAPA and current == CHECK and effectiveness != "not_effective":
        problems["effectiveness"] = gettext("Record the CAPA as not effective to start it over.")
    return problems


def is_red(flag: int | None) -> bool:
    return flag is not None and abs(flag) >= RED_FLAG


def signal_needed(*, latest_status: str | None, latest_closed_on: dt.date | None, today: dt.date) -> bool:
    """Whether a red flag opens a new signal, given the site's latest signal for the same KRI."""
    if latest_status is None:
        return True
    if latest_status != "closed":
        return False
    return latest_closed_on is None or (today - latest_closed_on).days >= SIGNAL_QUIET_DAYS


def triage_problems(*, decision: str, rationale: str) -> dict[str, str]:
    if decision not in SIGNAL_DECISIONS:
        return {
            "decision": gettext("Decide one of: %(decisions)s.") % {"decisions": ", ".join(SIGNAL_DECISIONS)}
        }
    if decision == NO_ACTION and not rationale.strip():
        return {"rationale": gettext("Say why no action is needed.")}
    return {}
