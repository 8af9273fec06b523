"""Excel exports of the portfolio, a study's sites and a study's milestones: only what the user may see.

Each sheet has typed cells (dates as dates, counts as numbers), a frozen header row, an auto-filter and
fitted column widths (interop.xlsx). The sites sheet uses the bulk import's column names, so a CRM can
export the sites, edit the workbook and import it back.
"""

from django.utils import timezone

from trialdesk.core.models import User
from trialdesk.integrations.bulk.columns import SITE_COLUMNS
from trialdesk.interop.tabular import DATE, INTEGER, NUMBER, Column
from trialdesk.interop.xlsx import Sheet, write_workbook
from trialdesk.sites import selectors as site_selectors
from trialdesk.studies import selectors
from trialdesk.studies.models import Study

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PORTFOLIO_COLUMNS = (
    Column("code", "Protocol number"),
    Column("title", "Title", width=50),
    Column("acronym", "Acronym"),
    Column("phase", "Phase"),
    Column("status", "Status"),
    Column("therapeutic_area", "Therapeutic area"),
    Column("sponsor", "Sponsor"),
    Column("nct_number", "NCT number"),
    Column("program", "Program"),
    Column("planned_enrollment", "Planned enrollment", INTEGER),
    Column("enrolled", "Enrolled", INTEGER),
    Column("sites_active", "Sites active", INTEGER),
    Column("sites_planned", "Sites planned", INTEGER),
    Column("countries", "Countries"),
    Column("forecast", "On-time probability", NUMBER, number_format="0%"),
    Column("next_milestone", "Next milestone"),
    Column("next_milestone_due", "Next milestone due", DATE),
    Column("variance_days", "Variance (days)", INTEGER),
)
SITE_EXPORT_COLUMNS = (
    *SITE_COLUMNS[:4],
    Column("department", "Department"),
    Column("country", "Country"),
    Column("time_zone", "Time zone"),
    *SITE_COLUMNS[4:],
)
MILESTONE_COLUMNS = (
    Column("milestone", "Milestone", width=30),
    Column("kind", "Kind"),
    Column("site_number", "Site number"),
    Column("institution", "Institution"),
    Column("baseline_on", "Baseline date", DATE),
    Column("forecast_on", "Forecast date", DATE),
    Column("actual_on", "Actual date", DATE),
    Column("variance_days", "Variance (days)", INTEGER),
    Column("late", "Late"),
    Column("note", "Note", width=40),
)


def portfolio_workbook(user: User, **filters) -> bytes:
    """The portfolio as the user's page shows it (same filters and order), every page of it."""
    studies = list(selectors.portfolio(user, **filters))
    rows = []
    for row in selectors.portfolio_rows(studies, user=user):
        study, milestone = row.study, row.next_milestone
        rows.append(
            {
                "code": study.code,
                "title": study.title,
                "acronym": study.acronym,
                "phase": study.get_phase_display(),
                "status": study.get_status_display(),
                "therapeutic_area": study.therapeutic_area,
                "sponsor": study.sponsor,
                "nct_number": study.nct_number,
                "program": study.program.name if study.program else "",
                "planned_enrollment": study.planned_enrollment,
                "enrolled": row.values.get("enrolled"),
                "sites_active": row.values.get("sites_active"),
                "sites_planned": row.values.get("sites_planned"),
                "countries": ", ".join(row.values.get("countries") or ()),
                "forecast": row.values.get("forecast_probability"),
                "next_milestone": milestone.label if milestone else "",
                "next_milestone_due": (milestone.forecast_on or milestone.baseline_on) if milestone else None,
                "variance_days": row.next_milestone_variance_days,
            }
        )
    return write_workbook([Sheet("Portfolio", PORTFOLIO_COLUMNS, rows)])


def study_sites_workbook(user: User, study: Study) -> bytes:
    rows = [
        {
            "site_number": site.site_number,
            "institution_id": site.institution_id,
            "institution": site.institution.name,
            "institution_city": site.institution.city,
            "department": site.institution.department,
            "country": site.institution.country,
            "time_zone": site.institution.time_zone,
            "principal_investigator": site.principal_investigator,
            "status": site.get_status_display(),
            "planned_activation_on": site.planned_activation_on,
            "activated_on": site.activated_on,
            "target_enrollment": site.target_enrollment,
        }
        for site in site_selectors.sites_for(user, study).order_by("site_number")
    ]
    return write_workbook([Sheet(f"{study.code} sites", SITE_EXPORT_COLUMNS, rows)])


def study_milestones_workbook(user: User, study: Study) -> bytes:
    today = timezone.now().date()
    rows = []
    for milestone in selectors.milestones_for(user, study):
        site = milestone.study_site
        standing = milestone.standing(site.local_today() if site else today)
        rows.append(
            {
                "milestone": milestone.label,
                "kind": milestone.get_kind_display(),
                "site_number": site.site_number if site else "",
                "institution": str(site.institution) if site else "",
                "baseline_on": milestone.baseline_on,
                "forecast_on": milestone.forecast_on,
                "actual_on": milestone.actual_on,
                "variance_days": standing.variance_days,
                "late": "yes" if standing.is_late else "",
                "note": milestone.note,
            }
        )
    return write_workbook([Sheet(f"{study.code} milestones", MILESTONE_COLUMNS, rows)])


def export_filename(study: Study | None, what: str) -> str:
    stamp = timezone.now().strftime("%Y-%m-%d")
    prefix = "".join(c if c.isalnum() or c in "-_" else "-" for c in study.code) + "-" if study else ""
    return f"{prefix}{what}-{stamp}.xlsx"
