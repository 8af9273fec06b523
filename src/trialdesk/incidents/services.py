"""Recording incidents and the notifications they require; marking a notification made. Every write goes
through core.records, so its audit event is written in the same transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.incidents import rules
from trialdesk.incidents.models import Incident, IncidentObligation, ObligationStatus
from trialdesk.incidents.permissions import ONLY_MANAGERS, can_manage_incidents
from trialdesk.safety.event_file import AWARE_HINT
from trialdesk.safety.rules import statuses
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

# No breach notification rule Trialdesk ships is older than this (HIPAA's is from 2009).
EARLIEST_YEAR = 2000
# What a person may set on an incident (the rest is the study's, or worked out).
INCIDENT_FIELDS = (
    "study_site",
    "kind",
    "title",
    "description",
    "aware_at",
    "jurisdictions",
    "sponsor_timezone",
    "affected_individuals",
    "residents_by_state",
    "risk_to_individuals",
    "hipaa_role",
    "measures",
)


def fact_problems(values: dict, *, now: dt.datetime) -> dict[str, str]:
    """What is wrong with an incident's clock facts, by field (empty when nothing)."""
    problems = {}
    aware_at = values.get("aware_at")
    if not isinstance(aware_at, dt.datetime) or aware_at.utcoffset() is None:
        problems["aware_at"] = f"Say when the sponsor became aware of it. {AWARE_HINT}"
    elif aware_at.year < EARLIEST_YEAR:
        problems["aware_at"] = f"Give a time in {EARLIEST_YEAR} or later."
    elif aware_at > now + dt.timedelta(minutes=5):
        problems["aware_at"] = "Awareness cannot be in the future."
    jurisdictions = values.get("jurisdictions")
    if not isinstance(jurisdictions, list | tuple) or not jurisdictions:
        problems["jurisdictions"] = f"Choose at least one of {', '.join(rules.JURISDICTIONS)}."
    else:
        for code in jurisdictions:
            if problem := rules.jurisdiction_problem(code):
                problems["jurisdictions"] = problem
    if problem := rules.time_zone_problem(values.get("sponsor_timezone")):
        problems["sponsor_timezone"] = problem
    if problem := rules.affected_problem(values.get("affected_individuals")):
        problems["affected_individuals"] = problem
    problems.update(_residents_problems(values.get("residents_by_state")))
    return problems


def _residents_problems(residents) -> dict[str, str]:
    if residents is None:
        return {}
    if not isinstance(residents, dict):
        return {"residents_by_state": 'Give residents by State as {"CA": 620, ...}.'}
    for state, count in residents.items():
        if not isinstance(state, str) or not (len(state) == 2 and state.isalpha() and state.isupper()):
            return {"residents_by_state": f"{state!r} is not a two-letter State code such as CA."}
        if problem := rules.affected_problem(count):
            return {"residents_by_state": f"{state}: {problem}"}
    return {}


def _next_number(study: Study) -> str:
    """INC-001, INC-002, … within the study (a race ends in the unique constraint)."""
    taken = Incident.objects.filter(study=study).select_for_update().values_list("number", flat=True)
    highest = max((int(n.removeprefix("INC-")) for n in taken if n.removeprefix("INC-").isdigit()), default=0)
    return f"INC-{highest + 1:03d}"


@transaction.atomic
def record_incident(*, study: Study, by: User, reason: str = "", **values) -> Incident:
    """Record an incident and the notifications its facts require, each with its clock."""
    require(can_manage_incidents(by, study.pk), ONLY_MANAGERS)
    values = records.only_fields(values, INCIDENT_FIELDS)
    _check(study, values)
    values["jurisdictions"] = list(dict.fromkeys(values["jurisdictions"]))
    incident = Incident(study=study, number=_next_number(study), **values)
    records.create_record(incident, by=by, reason=reason)
    _sync_obligations(incident, by=by)
    return incident


@transaction.atomic
def update_incident(
    *, incident: Incident, by: User, changes: dict, reason: str, expected_version: int | None = None
) -> Incident:
    """Change an incident's facts; its notifications follow: new ones are added, open ones whose rule no
    longer applies become not required (or stay missed once their due time has passed), open ones get
    their new clock. Met and missed ones never change."""
    require(can_manage_incidents(by, incident.study_id), ONLY_MANAGERS)
    changes = records.only_fields(changes, INCIDENT_FIELDS)
    merged = {name: getattr(incident, name) for name in INCIDENT_FIELDS} | changes
    _check(incident.study, merged)
    if "jurisdictions" in changes:
        changes["jurisdictions"] = list(dict.fromkeys(changes["jurisdictions"]))
    saved = records.update_record(
        incident, changes=changes, by=by, reason=reason, expected_version=expected_version
    )
    _sync_obligations(saved, by=by, reason=reason)
    return saved


def _check(study: Study, values: dict) -> None:
    problems = fact_problems(values, now=timezone.now())
    site = values.get("study_site")
    if site is not None and (not isinstance(site, StudySite) or site.study_id != study.pk):
        problems["study_site"] = "Choose one of this study's sites."
    if problems:
        raise ValidationError(problems)


def _sync_obligations(incident: Incident, *, by: User, reason: str = "") -> None:
    """Bring the stored notifications in line with what the incident's facts require
    (`safety.rules.statuses.recalculate`: nothing met or missed is ever rewritten)."""
    existing = {o.key: o for o in incident.obligations.select_for_update()}
    now = timezone.now()
    wanted = rules.obligations_for(incident.facts(), now=now)
    change = statuses.recalculate(
        {key: o.status for key, o in existing.items()},
        wanted,
        due={key: o.due_at for key, o in existing.items() if not o.without_undue_delay},
        now=now,
    )
    reason = reason or "the incident's facts changed"
    for obligation in change.create:
        records.create_record(_new_obligation(incident, obligation), by=by)
    for key in change.retire:
        why = f"No longer required: the incident's facts changed ({reason})."
        _set(existing[key], by, reason, status=ObligationStatus.NOT_REQUIRED, not_required_reason=why)
    for key in change.missed:
        why = "Missed: its due time passed before the incident's facts changed."
        _set(existing[key], by, reason, status=ObligationStatus.MISSED, not_required_reason=why)
    settled = set(change.retire) | set(change.missed)
    for obligation in wanted:
        current = existing.get(obligation.key)
        if current is not None and current.status in _MOVABLE and obligation.key not in settled:
            _set(
                current,
                by,
                reason,
                status=ObligationStatus.OPEN,
                not_required_reason="",
                **_clock(obligation),
            )
    for current in existing.values():
        if current.study_site_id != incident.study_site_id:
            _set(current, by, reason, study_site_id=incident.study_site_id)


# Stored statuses whose clock follows the facts (met and missed ones are kept as they are).
_MOVABLE = (ObligationStatus.OPEN, ObligationStatus.NOT_REQUIRED)


def _clock(obligation) -> dict:
    return {
        "clock": obligation.clock,
        "length": obligation.length,
        "starts_at": obligation.starts_at,
        "due_at": obligation.due_at,
        "due_on": obligation.due_on,
    }


def _set(obligation: IncidentObligation, by: User, reason: str, **changes) -> None:
    records.update_record(obligation, changes=changes, by=by, reason=reason)


def _new_obligation(incident: Incident, obligation) -> IncidentObligation:
    return IncidentObligation(
        incident=incident,
        study_id=incident.study_id,
        study_site_id=incident.study_site_id,
        key=obligation.key,
        recipient=obligation.recipient,
        jurisdiction=obligation.jurisdiction,
        rule=obligation.rule,
        description=obligation.description,
        reporting_party=obligation.party,
        time_zone=incident.sponsor_timezone,
        status=ObligationStatus.OPEN,
        **_clock(obligation),
    )


@transaction.atomic
def mark_met(
    *,
    obligation: IncidentObligation,
    by: User,
    submitted_at: dt.datetime | None = None,
    reference_number: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> IncidentObligation:
    """Record that the notification was made: when, by whom, under which reference. Made after its due
    time it is kept as missed (the late notification recorded); one without a fixed period is met."""
    require(can_manage_incidents(by, obligation.study_id), ONLY_MANAGERS)
    if obligation.submitted_at is not None or obligation.status not in (
        ObligationStatus.OPEN,
        ObligationStatus.MISSED,
    ):
        raise ValidationError(
            {"status": f"This notification is {obligation.get_status_display().lower()}, not open."}
        )
    submitted_at = submitted_at or timezone.now()
    if submitted_at.utcoffset() is None:
        raise ValidationError({"submitted_at": AWARE_HINT})
    if submitted_at.year < EARLIEST_YEAR:
        raise ValidationError(
            {"submitted_at": "A notification cannot be made before the incident was known."}
        )
    if submitted_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"submitted_at": "A notification cannot be made in the future."})
    if submitted_at < obligation.incident.aware_at:
        raise ValidationError(
            {"submitted_at": "A notification cannot be made before the incident was known."}
        )
    status = rules.status_of(
        clock=obligation.clock, due_at=obligation.due_at, submitted_at=submitted_at, now=submitted_at
    )
    return records.update_record(
        obligation,
        changes={
            "status": status,
            "submitted_at": submitted_at,
            "submitted_by": by,
            "reference_number": (reference_number or "").strip(),
            "not_required_reason": "Made after its due time." if status == statuses.MISSED else "",
        },
        by=by,
        reason=reason or "notification made",
        expected_version=expected_version,
    )
