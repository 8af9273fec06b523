"""Excel and CSV exports of payables, payment runs and the budget, and the remittance advice (PDF and
Excel): every file through the shared writers (interop.tabular / interop.xlsx, with the formula guard)."""

import io

from django.utils.translation import gettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from trialdesk.core.pdf_fonts import font_for_language
from trialdesk.finance.rules import earnings, money
from trialdesk.interop import tabular, xlsx
from trialdesk.interop.tabular import DATE, NUMBER, TEXT, Column

MONEY_FORMAT = "#,##0.00;-#,##0.00"
PAYABLE_COLUMNS = (
    Column("id", "Line", tabular.INTEGER),
    Column("site", "Site"),
    Column("kind", "Kind"),
    Column("code", "Code"),
    Column("participant", "Participant"),
    Column("earned_on", "Earned on", DATE),
    Column("due_on", "Due on", DATE),
    Column("currency", "Currency"),
    Column("fee", "Fee", NUMBER, number_format=MONEY_FORMAT),
    Column("overhead", "Overhead", NUMBER, number_format=MONEY_FORMAT),
    Column("holdback", "Holdback", NUMBER, number_format=MONEY_FORMAT),
    Column("payable", "Payable", NUMBER, number_format=MONEY_FORMAT),
    Column("study_currency", "Study currency"),
    Column("rate", "Rate", NUMBER, number_format="0.000000"),
    Column("rate_on", "Rate of", DATE),
    Column("study_payable", "Payable in study currency", NUMBER, number_format=MONEY_FORMAT),
    Column("reverses", "Reverses line", tabular.INTEGER),
    Column("payment_run", "Payment run"),
    Column("paid_on", "Paid on", DATE),
)
RUN_COLUMNS = (
    Column("number", "Run"),
    Column("site", "Site"),
    Column("status", "Status"),
    Column("currency", "Currency"),
    Column("total", "Total", NUMBER, number_format=MONEY_FORMAT),
    Column("lines", "Lines", tabular.INTEGER),
    Column("approved_by", "Approved by"),
    Column("approved_at", "Approved at (UTC)", TEXT),
    Column("paid_on", "Paid on", DATE),
    Column("payment_reference", "Payment reference"),
)
BUDGET_COLUMNS = (
    Column("category", "Category"),
    Column("budget", "Budget", NUMBER, number_format=MONEY_FORMAT),
    Column("spent", "Spent", NUMBER, number_format=MONEY_FORMAT),
    Column("remaining", "Remaining", NUMBER, number_format=MONEY_FORMAT),
)


def payable_row(line) -> dict:
    run = line.payment_run
    return {
        "id": line.pk,
        "site": line.study_site.site_number,
        "kind": earnings.KIND_LABELS.get(line.kind, line.kind),
        "code": line.code,
        "participant": line.participant,
        "earned_on": line.earned_on,
        "due_on": line.due_on,
        "currency": line.currency,
        "fee": money.rounded(line.fee, line.currency),
        "overhead": money.rounded(line.overhead, line.currency),
        "holdback": money.rounded(line.holdback, line.currency),
        "payable": money.rounded(line.payable, line.currency),
        "study_currency": line.study_currency,
        "rate": line.rate,
        "rate_on": line.rate_on,
        "study_payable": money.rounded(line.study_payable, line.study_currency),
        "reverses": line.reverses_id,
        "payment_run": run.number if run else "",
        "paid_on": run.paid_on if run else None,
    }


def payables_workbook(lines, *, title: str) -> bytes:
    return xlsx.write_workbook(
        [xlsx.Sheet("Payables", PAYABLE_COLUMNS, [payable_row(line) for line in lines])], title=title
    )


def payables_csv(lines) -> str:
    return tabular.write_csv(PAYABLE_COLUMNS, (payable_row(line) for line in lines))


def run_row(run) -> dict:
    return {
        "number": run.number,
        "site": run.study_site.site_number,
        "status": run.get_status_display(),
        "currency": run.currency,
        "total": money.rounded(run.total, run.currency),
        "lines": run.line_count,
        "approved_by": str(run.approved_by) if run.approved_by_id else "",
        "approved_at": run.approved_at.isoformat() if run.approved_at else "",
        "paid_on": run.paid_on,
        "payment_reference": run.payment_reference,
    }


def runs_workbook(runs, *, title: str) -> bytes:
    return xlsx.write_workbook(
        [xlsx.Sheet("Payment runs", RUN_COLUMNS, [run_row(r) for r in runs])], title=title
    )


def budget_workbook(figures, *, title: str) -> bytes:
    version = figures.budget_version
    rows = []
    for key, label, amount in version.category_rows():
        spent = figures.spent_by_category.get(key, money.ZERO)
        rows.append({"category": label, "budget": amount, "spent": spent, "remaining": amount - spent})
    summary = [
        {"category": "Total budget", "budget": figures.budget},
        {"category": "Spent", "budget": figures.spent},
        {"category": "Committed (vendor contracts)", "budget": figures.committed},
        *({"category": f"Estimate at completion ({q})", "budget": v} for q, v in figures.eac.items()),
        {"category": "Variance at completion (budget − EAC 0.5)", "budget": figures.variance},
    ]
    sheets = [
        xlsx.Sheet(f"Budget v{version.number} ({figures.currency})", BUDGET_COLUMNS, rows),
        xlsx.Sheet("Forecast", BUDGET_COLUMNS[:2], summary),
    ]
    return xlsx.write_workbook(sheets, title=title)


def remittance_workbook(run, lines) -> bytes:
    return xlsx.write_workbook(
        [xlsx.Sheet(f"Remittance {run.number}", PAYABLE_COLUMNS, [payable_row(line) for line in lines])],
        title=f"Remittance advice {run.number}",
    )


def remittance_pdf(run, lines) -> bytes:
    """The remittance advice: who is paid, how much, under which reference, and every line it covers.
    Written without page compression so its text can be searched (the every-route leak test reads it)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle(gettext("Remittance advice %(number)s") % {"number": run.number})
    width, height = A4
    y = height - 20 * mm

    def line_of(text: str, *, size=9, bold=False, x=15 * mm):
        nonlocal y
        if y < 20 * mm:
            pdf.showPage()
            y = height - 20 * mm
        pdf.setFont(font_for_language("Helvetica-Bold" if bold else "Helvetica"), size)
        pdf.drawString(x, y, text[:130])
        y -= size * 0.45 * mm + 2 * mm

    site = run.study_site
    line_of(gettext("REMITTANCE ADVICE"), size=14, bold=True)
    line_of(
        gettext("Study %(study)s - site %(site)s (%(institution)s), PI %(pi)s")
        % {
            "study": run.study.code,
            "site": site.site_number,
            "institution": site.institution.name,
            "pi": site.principal_investigator or "-",
        }
    )
    line_of(
        gettext("Payment run %(number)s: %(status)s; total %(total)s")
        % {
            "number": run.number,
            "status": gettext(run.get_status_display()),
            "total": money.shown(run.total, run.currency),
        }
    )
    if run.paid_on:
        line_of(
            gettext("Paid on %(on)s, payment reference %(reference)s")
            % {"on": run.paid_on.isoformat(), "reference": run.payment_reference}
        )
    if run.approved_at:
        line_of(
            gettext("Approved by %(by)s at %(at)s (%(meaning)s)")
            % {"by": run.approved_by, "at": run.approved_at.isoformat(), "meaning": run.signature_meaning}
        )
    line_of("")
    line_of(
        gettext(
            "Line   Earned on   Kind               Code        Participant   "
            "Fee + overhead   Holdback   Payable"
        ),
        bold=True,
    )
    for line in lines:
        line_of(
            f"{line.pk:<6} {line.earned_on.isoformat()}  "
            f"{gettext(earnings.KIND_LABELS.get(line.kind, line.kind)):<18} "
            f"{line.code or '-':<11} {line.participant or '-':<13} "
            f"{money.as_text(line.fee + line.overhead, line.currency):>14}   "
            f"{money.as_text(line.holdback, line.currency):>8}   "
            f"{money.as_text(line.payable, line.currency):>10}",
            x=15 * mm,
        )
    line_of("")
    line_of(
        gettext("Total %(total)s in %(lines)s lines.")
        % {"total": money.shown(run.total, run.currency), "lines": run.line_count},
        bold=True,
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
