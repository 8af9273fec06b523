"""The line listing of a study's adverse events (one row per event, its latest facts), as CSV or Excel.

Blinded readers never see the arm: it comes through randomization.concealment, which shows it only
to those with unblinded access (or who signed that participant's emergency unblinding).
"""

import csv
import io

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from trialdesk.core.models import User
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
BLINDED = "blinded"
# Spreadsheet programs run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(rows: list[dict]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow([_safe(row[key]) for key, _ in COLUMNS])
    return buffer.getvalue()


def as_xlsx(rows: list[dict], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Line listing"
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(row[key]) for key, _ in COLUMNS])
    sheet.freeze_panes = "A2"
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
