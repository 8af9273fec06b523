"""The line listing of a study's adverse events (one row per event, its latest facts), as CSV or Excel.

Blinded readers never see the arm: it comes through randomization.concealment, which shows it only
to those with unblinded access (or who signed that participant's emergency unblinding).
"""

from django.db.models import QuerySet

from trialdesk.core.models import User
from trialdesk.interop.tabular import Column, write_csv
from trialdesk.interop.xlsx import Sheet, write_workbook
from trialdesk.randomization.concealment import Reader
from trialdesk.randomization.models import Allocation
from trialdesk.safety.models import AdverseEventVersion

COLUMNS = (
    ("number", "AE number"),
    ("site", "Site"),
    ("participant", "Participant"),
    ("arm", "Arm"),
    ("verbatim_term", "Verbatim term"),
    ("ctcae_term", "CTCAE v5.0 term"),
    ("meddra_code", "MedDRA code"),
    ("grade", "Grade"),
    ("onset_on", "Onset"),
    ("resolved_on", "Resolved"),
    ("serious", "Serious"),
    ("seriousness", "Seriousness criteria"),
    ("causality", "Causality"),
    ("expected", "Expected"),
    ("susar", "SUSAR"),
    ("action_taken", "Action taken"),
    ("outcome", "Outcome"),
    ("site_aware_at", "Site aware (UTC)"),
    ("version", "Version"),
)
EXPORT_COLUMNS = tuple(Column(key, label) for key, label in COLUMNS)
BLINDED = "blinded"


def listing_rows(user: User, events: QuerySet) -> list[dict]:
    """One dict per event with the COLUMNS keys, in the order of `events`."""
    events = list(events.select_related("study_site", "participant"))
    versions = {
        (v.adverse_event_id, v.number): v
        for v in AdverseEventVersion.objects.filter(adverse_event__in=[e.pk for e in events])
    }
    allocations = {
        a.participant_id: a
        for a in Allocation.objects.filter(
            participant_id__in={e.participant_id for e in events}
        ).select_related("arm")
    }
    reader = Reader(user)
    rows = []
    for event in events:
        version = versions[(event.pk, event.latest_version)]
        allocation = allocations.get(event.participant_id)
        arm = ""
        if allocation is not None:
            shown = reader.arm_of(allocation)
            arm = shown.code if shown else BLINDED
        rows.append(
            {
                "number": event.number,
                "site": event.study_site.site_number,
                "participant": event.participant.number,
                "arm": arm,
                "verbatim_term": version.verbatim_term,
                "ctcae_term": version.ctcae_term,
                "meddra_code": version.meddra_code,
                "grade": version.grade,
                "onset_on": version.onset_on.isoformat(),
                "resolved_on": version.resolved_on.isoformat() if version.resolved_on else "",
                "serious": "yes" if event.serious else "no",
                "seriousness": "; ".join(version.seriousness_labels()),
                "causality": version.get_causality_display() if version.causality else "not assessed",
                "expected": {True: "yes", False: "no", None: "not judged"}[version.expected],
                "susar": "yes" if event.is_susar else "no",
                "action_taken": version.get_action_taken_display(),
                "outcome": version.get_outcome_display(),
                "site_aware_at": version.site_aware_at.isoformat(),
                "version": version.number,
            }
        )
    return rows


def as_csv(rows: list[dict]) -> str:
    """The listing as CSV (interop.tabular: every text cell through the formula guard)."""
    return write_csv(EXPORT_COLUMNS, rows)


def as_xlsx(rows: list[dict], title: str) -> bytes:
    """The listing as an Excel workbook (interop.xlsx: every text cell through the formula guard)."""
    return write_workbook([Sheet("Line listing", EXPORT_COLUMNS, rows)], title=title)
