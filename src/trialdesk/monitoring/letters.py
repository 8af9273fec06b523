"""Letters to a site, as PDF (reportlab, the project's one PDF library): the confirmation of a
monitoring visit, and the follow-up letter summarising a visit's findings and the site's action items.

Generated from the records as they are when asked for, so a letter always says what the report says;
a letter names no participant (findings do not, and the source-verified list is not in it).
"""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trialdesk.monitoring.models import ActionItem, Finding, MonitoringVisit, VisitReport

STYLES = getSampleStyleSheet()
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
    ]
)


def _p(text: str, style: str = "BodyText") -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), STYLES[style])


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


def _pdf(title: str, flowables: list) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Trialdesk",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(flowables)
    return buffer.getvalue()


def _heading(visit: MonitoringVisit, title: str) -> list:
    site = visit.study_site
    return [
        _p(title, "Title"),
        _p(f"Study {visit.study.code} — {visit.study.title}"),
        _p(f"Site {site.site_number}: {site.institution.name}, {site.institution.city}"),
        _p(f"Principal investigator: {site.principal_investigator or '—'}"),
        Spacer(1, 4 * mm),
    ]


def confirmation_letter(visit: MonitoringVisit) -> bytes:
    """The letter confirming a planned visit: when, what kind, who comes, what to have ready."""
    kind = visit.get_visit_type_display()
    lines = [
        f"Dear {visit.study_site.principal_investigator or 'Investigator'},",
        f"This letter confirms the {kind.lower()} monitoring visit ({visit.get_modality_display().lower()}) "
        f"planned for {visit.planned_on:%d %B %Y}, conducted by {_person(visit.cra)}.",
        "Please have available: the investigator site file, source documents of the participants enrolled, "
        "the investigational product accountability records, and time with the investigator and the study "
        "coordinator.",
    ]
    if visit.purpose:
        lines.append(f"Agenda: {visit.purpose}")
    lines.append(f"Kind regards,\n{_person(visit.cra)}")
    flowables = _heading(visit, f"Confirmation of monitoring visit — {kind}")
    flowables += [_p(line) for line in lines]
    return _pdf(f"Confirmation of monitoring visit {visit.pk}", flowables)


def follow_up_letter(report: VisitReport, *, findings: list[Finding], items: list[ActionItem]) -> bytes:
    """The follow-up letter of a visit: its findings by severity and the site's open action items (those
    raised at this visit and those carried over), with their owners and due dates."""
    visit = report.visit
    on = visit.conducted_on or visit.planned_on
    flowables = _heading(visit, f"Monitoring visit follow-up — {visit.get_visit_type_display()}")
    flowables.append(
        _p(
            f"Thank you for receiving the visit of {on:%d %B %Y} ({visit.get_modality_display().lower()}). "
            "This letter summarises what was found and what is to be done. "
            f"Report status: {report.get_status_display()}."
        )
    )
    flowables += [Spacer(1, 3 * mm), _p("Findings", "Heading2")]
    if findings:
        rows = [["#", "Category", "Severity", "Finding"]]
        rows += [
            [f.number, f.get_category_display(), f.get_severity_display(), _p(f.description)]
            for f in findings
        ]
        flowables.append(
            Table(rows, colWidths=[10 * mm, 38 * mm, 20 * mm, 106 * mm], style=GRID, repeatRows=1)
        )
    else:
        flowables.append(_p("No findings at this visit."))
    flowables += [Spacer(1, 3 * mm), _p("Action items", "Heading2")]
    if items:
        rows = [["Item", "To do", "Owner", "Due", "Status"]]
        rows += [
            [
                str(i),
                _p(i.description),
                _person(i.owner),
                f"{i.due_on:%Y-%m-%d}" if i.due_on else "—",
                i.get_status_display(),
            ]
            for i in items
        ]
        flowables.append(
            Table(rows, colWidths=[18 * mm, 86 * mm, 30 * mm, 20 * mm, 20 * mm], style=GRID, repeatRows=1)
        )
    else:
        flowables.append(_p("No open action items."))
    if visit.kg_co2e is not None and visit.is_on_site:
        flowables += [
            Spacer(1, 3 * mm),
            _p(f"Travel for this visit: {visit.travel_km} km, {visit.kg_co2e} kg CO2e."),
        ]
    flowables += [Spacer(1, 5 * mm), _p(f"Kind regards,\n{_person(visit.cra)}")]
    return _pdf(f"Follow-up letter of visit {visit.pk}", flowables)
