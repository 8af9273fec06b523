"""What a spreadsheet import reads: the kinds of record and their columns (the sites export uses them too)."""

from trialdesk.interop.tabular import DATE, INTEGER, Column
from trialdesk.sites.models import SiteStatus

INSTITUTIONS, STUDY_SITES = "institutions", "sites"


INSTITUTION_COLUMNS = (
    Column("id", "Institution id", INTEGER, help="Leave empty for a new institution; keep it to change one."),
    Column("name", "Name", required=True, help="The hospital, clinic or research centre.", width=36),
    Column("department", "Department", help="Optional, e.g. Department of Oncology."),
    Column("city", "City", required=True),
    Column("region", "State / region"),
    Column("postal_code", "Postal code"),
    Column("country", "Country", required=True, help="ISO 3166-1 alpha-2 code (DE, US, JP) or English name."),
    Column("time_zone", "Time zone", required=True, help="IANA name, e.g. Europe/Berlin.", width=22),
)
SITE_COLUMNS = (
    Column("site_number", "Site number", required=True, help="The study's number for the site, e.g. 101."),
    Column("institution_id", "Institution id", INTEGER, help="The institution's id in Trialdesk, or:"),
    Column("institution", "Institution", help="The institution's name, as in the directory.", width=36),
    Column("institution_city", "City", help="The institution's city (with its name)."),
    Column("principal_investigator", "Principal investigator", width=26),
    Column(
        "status",
        "Status",
        choices=tuple(label for _, label in SiteStatus.choices),
        help="A new site starts as Identified and is moved along its lifecycle to this status.",
    ),
    Column("planned_activation_on", "Planned activation", DATE, help="A date (YYYY-MM-DD)."),
    Column(
        "activated_on",
        "Activation date",
        DATE,
        help="Set when the status reaches Activated (default: today).",
    ),
    Column("target_enrollment", "Target enrollment", INTEGER, help="Participants the site should enroll."),
)
INSTITUTION_TEXTS = ("name", "department", "city", "region", "postal_code", "country", "time_zone")
SITE_FIELD_LABELS = {c.key: c.label for c in SITE_COLUMNS} | {"institution": "Institution"}
