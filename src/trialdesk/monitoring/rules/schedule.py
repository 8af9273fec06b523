"""When a site's next monitoring visit is due, from the plan, the site's risk tier and its last visits.

The rule, in the order it is asked (first match wins), as a CRA plans a site:

| site | visit due | due on |
|--- |--- |--- |
| identified / under feasibility (if planned) | qualification, on site | 8 weeks before planned activation |
| selected / start-up, no SIV yet | SIV, on site | the planned activation date |
| activated or later, no SIV | SIV, on site (overdue) | the activation date |
| everyone finished (LPLV known), no COV | COV, on site | LPLV + the plan's COV days |
| closed / terminated, no COV | COV, on site | LPLV (else activation) + COV days |
| active, nobody enrolled yet | nothing |                                     |
| active, no interim visit since the first one | first IMV, on site | first enrollment + the plan's weeks |
| active, interim visits done | IMV, tier's modality | last interim + the tier's interval |

Without a planned activation (or activation) date the visit is due today.

"Alternating" tiers take turns: after an on-site visit the next is remote, and the other way round.
For-cause visits decided at a signal's triage are due on their planned date (selectors add them).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

QUALIFICATION, SIV, IMV, COV, FOR_CAUSE = "qualification", "siv", "imv", "cov", "for_cause"
ON_SITE, REMOTE = "on_site", "remote"
ALTERNATING = "alternating"
QUALIFICATION_LEAD = dt.timedelta(weeks=8)
PRE_SELECTION = frozenset({"identified", "under_feasibility"})
START_UP = frozenset({"selected", "start_up"})
FINISHED = frozenset({"closed", "terminated"})
TIER_WORDS = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}


@dataclass(frozen=True)
class TierSchedule:
    """A tier's routine: days between interim visits and how they take place."""

    interval_days: int
    modality: str  # on_site, remote or alternating


@dataclass(frozen=True)
class PlanSchedule:
    """What of the plan the due date depends on."""

    first_imv_weeks: int
    cov_within_days: int
    qualification_required: bool
    tiers: dict[str, TierSchedule]


@dataclass(frozen=True)
class SiteHistory:
    """A site's status and dates, and its monitoring so far (conducted visits' last days)."""

    status: str
    tier: str
    today: dt.date
    planned_activation_on: dt.date | None = None
    activated_on: dt.date | None = None
    first_enrolled_on: dt.date | None = None
    last_participant_last_visit_on: dt.date | None = None  # None while someone is still on study
    done: dict[str, dt.date] = field(default_factory=dict)  # visit type -> last conducted
    last_interim: tuple[dt.date, str] | None = None  # (day, modality) of the last IMV or for-cause visit


@dataclass(frozen=True)
class Due:
    visit_type: str
    modality: str
    due_on: dt.date
    reason: str

    def overdue_days(self, today: dt.date) -> int:
        return max(0, (today - self.due_on).days)


def next_due(site: SiteHistory, plan: PlanSchedule) -> Due | None:
    """The site's next routine visit (see the module's table), or None when nothing is due."""
    for rule in (_qualification, _initiation, _close_out, _interim):
        found = rule(site, plan)
        if found is not False:
            return found
    return None


def _qualification(site: SiteHistory, plan: PlanSchedule):
    if site.status not in PRE_SELECTION:
        return False
    if not plan.qualification_required or QUALIFICATION in site.done:
        return None
    if site.planned_activation_on:
        due = site.planned_activation_on - QUALIFICATION_LEAD
        return Due(
            QUALIFICATION,
            ON_SITE,
            due,
            gettext("before selection: 8 weeks before planned activation %(date)s")
            % {"date": _d(site.planned_activation_on)},
        )
    return Due(QUALIFICATION, ON_SITE, site.today, gettext("before selection (no planned activation date)"))


def _initiation(site: SiteHistory, plan: PlanSchedule):
    if SIV in site.done or site.status in PRE_SELECTION:
        return False
    if site.status in START_UP:
        if site.planned_activation_on:
            return Due(
                SIV,
                ON_SITE,
                site.planned_activation_on,
                gettext("SIV before activation (planned %(date)s)")
                % {"date": _d(site.planned_activation_on)},
            )
        return Due(SIV, ON_SITE, site.today, gettext("SIV before activation (no planned activation date)"))
    if site.status in FINISHED:
        return None  # never initiated: nothing to close out
    due = site.activated_on or site.today
    return Due(SIV, ON_SITE, due, gettext("the site was activated without an initiation visit"))


def _close_out(site: SiteHistory, plan: PlanSchedule):
    if COV in site.done:
        return None if site.status in FINISHED or site.last_participant_last_visit_on else False
    lplv = site.last_participant_last_visit_on
    if lplv is None and site.status not in FINISHED:
        return False
    base = lplv or site.activated_on or site.today
    due = base + dt.timedelta(days=plan.cov_within_days)
    return Due(COV, ON_SITE, due, _close_out_reason(site, plan.cov_within_days, lplv))


def _close_out_reason(site: SiteHistory, days: int, lplv: dt.date | None) -> str:
    if lplv:
        text = gettext("COV within %(days)s days after the last participant's last visit %(date)s")
        return text % {"days": days, "date": _d(lplv)}
    if site.status == "closed":
        return gettext("COV within %(days)s days after the site closed") % {"days": days}
    if site.status == "terminated":
        return gettext("COV within %(days)s days after the site terminated") % {"days": days}
    text = gettext("COV within %(days)s days after the site %(status)s")
    return text % {"days": days, "status": site.status.replace("_", " ")}


def _interim(site: SiteHistory, plan: PlanSchedule):
    if site.first_enrolled_on is None:
        return None
    tier = plan.tiers.get(site.tier) or plan.tiers.get("medium")
    if site.last_interim is None or site.last_interim[0] < site.first_enrolled_on:
        due = site.first_enrolled_on + dt.timedelta(weeks=plan.first_imv_weeks)
        first = _d(site.first_enrolled_on)
        reason = gettext("first IMV within %(weeks)s weeks of the first participant enrolled %(date)s") % {
            "weeks": plan.first_imv_weeks,
            "date": first,
        }
        return Due(IMV, ON_SITE, due, reason)
    last_on, last_modality = site.last_interim
    modality = interim_modality(tier.modality, last_modality)
    due = last_on + dt.timedelta(days=tier.interval_days)
    words = gettext(TIER_WORDS[site.tier]) if site.tier in TIER_WORDS else site.tier
    reason = gettext("%(tier)s risk: every %(days)s days; last visit %(date)s") % {
        "tier": words,
        "days": tier.interval_days,
        "date": _d(last_on),
    }
    return Due(IMV, modality, due, reason)


def interim_modality(tier_modality: str, last_modality: str | None) -> str:
    """An alternating tier's next visit is the other kind than the last one; others keep theirs."""
    if tier_modality != ALTERNATING:
        return tier_modality
    return REMOTE if last_modality == ON_SITE else ON_SITE


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"
