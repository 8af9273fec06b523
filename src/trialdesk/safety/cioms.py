"""The CIOMS I form ("Suspect adverse reaction report") of an adverse event, as a PDF built with reportlab.

Only called for a reader who may see the event (its page answers 404 otherwise, through `visible_to`): the
form holds subject-level data (participant number, the event in the investigator's words, the narrative),
which `core.permissions.can_see_subject_level` keeps from sponsor viewers. The treatment arm is never on it
(a blinded study stays blinded; regulatory unblinding has its own signed flow). The PDF is written without
page compression so that its text can be checked (and searched by the every-route leak test).
"""

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from trialdesk.safety.models import AdverseEvent, AdverseEventVersion

SERIOUS_BOXES = (
    ("death", "patient died"),
    ("hospitalization", "involved or prolonged inpatient hospitalisation"),
    ("disability", "involved persistent or significant disability or incapacity"),
    ("life_threatening", "life threatening"),
    ("congenital_anomaly", "congenital anomaly"),
    ("other_medically_important", "other medically important condition"),
)


def cioms_form(event: AdverseEvent, version: AdverseEventVersion, *, obligations=()) -> bytes:
    """The CIOMS I form of the event as known at `version`: reaction information (sections 1-13), suspect
    drug (14-19, from the study), concomitant history (22-23, not held here) and manufacturer information
    (24: the sponsor, the receipt date, the report source and type)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle(f"CIOMS I {event.study.code} {event.number}")
    writer = _Writer(pdf)
    writer.title("CIOMS FORM - SUSPECT ADVERSE REACTION REPORT")
    writer.heading("I. Reaction information")
    participant = event.participant
    writer.field("1. Patient initials / 1a. Subject number", participant.number)
    writer.field("1a. Country", event.study_site.institution.country)
    writer.field("5-6. Reaction onset", version.onset_on.isoformat())
    writer.field(
        "7+13. Describe reaction(s)",
        f"{version.verbatim_term} (CTCAE: {version.ctcae_term}, grade {version.grade})",
    )
    if version.meddra_code:
        writer.field("MedDRA code", version.meddra_code)
    writer.paragraph("Narrative", version.narrative or "-")
    writer.field("Outcome", version.get_outcome_display())
    for key, label in SERIOUS_BOXES:
        writer.checkbox(f"8-12. {label}", key in (version.seriousness or []))
    writer.heading("II. Suspect drug(s) information")
    writer.field("14. Suspect drug", f"Investigational product of study {event.study.code}")
    writer.field("Causality", version.get_causality_display() or "not yet assessed")
    writer.field(
        "Expectedness", {True: "expected", False: "unexpected", None: "not yet judged"}[version.expected]
    )
    if version.reference_safety_information_id:
        writer.field("Reference safety information", str(version.reference_safety_information))
    writer.field("Action taken", version.get_action_taken_display())
    writer.heading("III. Concomitant drugs and history")
    writer.field(
        "22-23. Concomitant drugs, history", "not recorded in Trialdesk: add from the source documents"
    )
    writer.heading("IV. Manufacturer information")
    writer.field("24a. Name and address of manufacturer (sponsor)", event.study.sponsor)
    writer.field("24b. Study / case", f"{event.study.code} / {event.number} version {version.number}")
    received = version.information_received_at
    writer.field("24c. Date received by manufacturer", received.date().isoformat() if received else "-")
    writer.field("24d. Report source", "study")
    writer.field("Report type", "initial" if version.number == 1 else f"follow-up {version.number - 1}")
    writer.field("25a. Date of this report", _today())
    for obligation in obligations:
        writer.line(f"{obligation.recipient}: {obligation.rule}, due {obligation.due_on.isoformat()}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _today() -> str:
    from django.utils import timezone

    return timezone.now().date().isoformat()


class _Writer:
    """Lines down an A4 page, a new page when it is full."""

    def __init__(self, pdf: canvas.Canvas):
        self.pdf = pdf
        self.y = A4[1] - 20 * mm

    def _next(self, height: float) -> None:
        self.y -= height
        if self.y < 20 * mm:
            self.pdf.showPage()
            self.y = A4[1] - 20 * mm

    def title(self, text: str) -> None:
        self.pdf.setFont("Helvetica-Bold", 13)
        self.pdf.drawString(20 * mm, self.y, text)
        self._next(10 * mm)

    def heading(self, text: str) -> None:
        self._next(3 * mm)
        self.pdf.setFont("Helvetica-Bold", 10)
        self.pdf.drawString(20 * mm, self.y, text)
        self._next(6 * mm)

    def field(self, label: str, value: str) -> None:
        self.pdf.setFont("Helvetica", 9)
        self.pdf.drawString(20 * mm, self.y, f"{label}: {value}"[:120])
        self._next(5 * mm)

    def line(self, text: str) -> None:
        self.field("Reporting obligation", text)

    def checkbox(self, label: str, checked: bool) -> None:
        self.field(f"[{'X' if checked else ' '}] {label}", "")

    def paragraph(self, label: str, text: str) -> None:
        self.field(label, "")
        for start in range(0, len(text), 110):
            self.field("  ", text[start : start + 110])
