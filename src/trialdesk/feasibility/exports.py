"""The ranked list of candidate sites as an Excel workbook, through the shared writer (interop.xlsx,
with its formula guard), the way finance exports its payables."""

from trialdesk.interop import tabular, xlsx
from trialdesk.interop.tabular import DATE, NUMBER, Column

RANKING_COLUMNS = (
    Column("rank", "Rank", tabular.INTEGER),
    Column("site", "Site"),
    Column("institution", "Institution"),
    Column("country", "Country"),
    Column("status", "Site status"),
    Column("cda", "Confidentiality agreement"),
    Column("cda_executed_on", "CDA executed on", DATE),
    Column("questionnaire", "Questionnaire"),
    Column("score", "Score (%)", NUMBER, number_format="0.00"),
    Column("earlier_sites", "Earlier sites in Trialdesk", tabular.INTEGER),
    Column("enrollment_per_month", "Enrolled per month (earlier)", NUMBER, number_format="0.00"),
    Column("activation_days", "Days to activation (earlier, median)", tabular.INTEGER),
    Column(
        "deviations_per_participant", "Deviations per participant (earlier)", NUMBER, number_format="0.00"
    ),
    Column("decision", "Decision"),
    Column("rationale", "Rationale"),
    Column("decided_on", "Decided on", DATE),
)


def ranking_row(row) -> dict:
    past, decision, agreement = row.past, row.decision, row.agreement
    return {
        "rank": row.rank,
        "site": row.site.site_number,
        "institution": str(row.site.institution),
        "country": row.site.institution.country,
        "status": row.site.get_status_display(),
        "cda": agreement.get_status_display() if agreement else "Not sent",
        "cda_executed_on": agreement.executed_on if agreement else None,
        "questionnaire": row.questionnaire.get_status_display() if row.questionnaire else "Not sent",
        "score": row.score,
        "earlier_sites": past.earlier_sites,
        "enrollment_per_month": past.enrollment_per_month,
        "activation_days": past.activation_days,
        "deviations_per_participant": past.deviations_per_participant,
        "decision": decision.get_outcome_display() if decision else "",
        "rationale": decision.rationale if decision else "",
        "decided_on": decision.decided_on if decision else None,
    }


def ranking_workbook(rows, *, title: str) -> bytes:
    return xlsx.write_workbook(
        [xlsx.Sheet("Candidate sites", RANKING_COLUMNS, [ranking_row(r) for r in rows])], title=title
    )
