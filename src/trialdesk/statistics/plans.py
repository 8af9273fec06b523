"""A study's recruitment plan: versions written (audited, never changed), read back, and compared with
what was enrolled and activated, per month and cumulative, for the study, each country and each site."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.interop import tabular
from trialdesk.sites.models import StudySite
from trialdesk.statistics import rules
from trialdesk.statistics.models import RecruitmentPlan
from trialdesk.statistics.permissions import can_plan_recruitment
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant, ParticipantStatus

#: The columns of the plan's CSV or Excel template (the API's line fields, the same names).
PLAN_COLUMNS = (
    tabular.Column("month", "month", required=True),
    tabular.Column("country", "country"),
    tabular.Column("site", "site"),
    tabular.Column("planned_activations", "planned_activations", tabular.INTEGER),
    tabular.Column("planned_enrollment", "planned_enrollment", tabular.INTEGER, required=True),
)
XLSX = (".xlsx", ".xlsm")
#: How each level of a plan variance group is named on the tab and in the report.
LEVEL_LABELS = {"study": "Study", "country": "Country", "site": "Site"}


# Writing ------------------------------------------------------------------------------------------


@transaction.atomic
def create_recruitment_plan(*, study: Study, lines: list[dict], reason: str, by: User) -> RecruitmentPlan:
    """Write the next version of the study's plan; earlier versions stay as they were.

    Lines are checked by rules.plan_line_problems (errors keyed "lines.N.field"); a version needs a reason.
    """
    require(can_plan_recruitment(by, study.pk), "Only the study's CRM or an administrator plans recruitment.")
    problems = {} if reason and reason.strip() else {"reason": _("Say why this version of the plan is made.")}
    countries = dict(StudySite.objects.filter(study=study).values_list("site_number", "institution__country"))
    cleaned, line_problems = rules.plan_line_problems(lines, site_countries=countries)
    problems.update(line_problems)
    if problems:
        raise ValidationError(problems)
    latest = RecruitmentPlan.objects.filter(study=study).aggregate(last=Max("plan_version"))["last"] or 0
    plan = RecruitmentPlan(
        study=study,
        plan_version=latest + 1,
        reason=reason.strip(),
        lines=sorted(cleaned, key=lambda line: (line["month"], line["country"], line["site"])),
    )
    return records.create_record(plan, by=by, reason=reason.strip())


def lines_from_file(content: bytes, filename: str) -> list[dict]:
    """The lines of a plan template (CSV, or an .xlsx workbook); every bad cell is a ValidationError
    line naming its row and column ("plan.csv row 3, column planned_enrollment: 'x' is not …")."""
    try:
        reader = tabular.read_table if filename.lower().endswith(XLSX) else tabular.read_csv
        table = reader(content, filename)
    except tabular.TableError as error:
        raise ValidationError({"file": str(error)}) from None
    match = tabular.match_columns(table, PLAN_COLUMNS)
    if match.problems:
        raise ValidationError({"file": [problem.located(filename) for problem in match.problems]})
    rows = tabular.typed_rows(table, PLAN_COLUMNS, match)
    problems = [problem.located(filename) for row in rows for problem in row.problems]
    if problems:
        raise ValidationError({"file": problems})
    if not rows:
        raise ValidationError({"file": _("%(file)s: has no lines.") % {"file": filename}})
    return [{name: row.values[name] for name in rules.PLAN_FIELDS} for row in rows]


# Reading ------------------------------------------------------------------------------------------


def plan_versions(user: User, study: Study):
    """The study's plan versions the user may see, newest first."""
    return RecruitmentPlan.objects.visible_to(user).filter(study=study).select_related("study")


def plan_of(user: User, study: Study, plan_version: int | None = None) -> RecruitmentPlan | None:
    """The given version of the plan (ValidationError when there is no such version), else the latest."""
    versions = plan_versions(user, study)
    if plan_version is None:
        return versions.first()
    found = versions.filter(plan_version=plan_version).first()
    if found is None:
        raise ValidationError(
            {"plan_version": _("The study has no plan version %(version)s.") % {"version": plan_version}}
        )
    return found


@dataclass(frozen=True)
class VarianceGroup:
    """Plan against actual for the study, one country or one site: totals and the months."""

    level: str  # "study", "country" or "site"
    key: str
    planned_enrollment: int
    actual_enrollment: int
    planned_activations: int
    actual_activations: int
    months: list[dict]


@dataclass(frozen=True)
class PlanVariance:
    plan: RecruitmentPlan | None
    as_of: dt.date
    months: list[str]
    groups: list[VarianceGroup]
    whole_study: bool


def plan_variance(user: User, study: Study, plan: RecruitmentPlan | None, *, as_of: dt.date | None = None):
    """Actual enrollment and activations against ``plan`` up to ``as_of`` (today, UTC), per month.

    Site rows cover the sites the user may see; the study and country rows only those who see every
    site of the study (a coordinator's count of their own sites set against the whole country's plan
    would read as a shortfall that is not there). Enrollment is counted, not read (countable_by), so a
    sponsor viewer sees the figures without a participant.
    """
    as_of = as_of or timezone.now().date()
    sites = list(StudySite.objects.visible_to(user).filter(study=study).select_related("institution"))
    whole = len(sites) == StudySite.objects.filter(study=study).count()
    country_of = {site.site_number: site.institution.country for site in sites}
    enrolled = (
        Participant.objects.countable_by(user)
        .filter(study=study, enrolled_on__isnull=False, enrolled_on__lte=as_of)
        .exclude(status=ParticipantStatus.SCREENING)
        .values_list("study_site__site_number", "enrolled_on")
    )
    actual = [(number, rules.month_of(day)) for number, day in enrolled if number in country_of]
    activated = [
        (site.site_number, rules.month_of(site.activated_on))
        for site in sites
        if site.activated_on and site.activated_on <= as_of
    ]
    lines = [] if plan is None else [line for line in plan.lines if whole or line["site"] in country_of]
    months = _months(lines, actual + activated, as_of)
    keys = [("site", number) for number in sorted(country_of)]
    if whole:
        keys = (
            [("study", study.code)]
            + [("country", c) for c in sorted(set(country_of.values()) | {ln["country"] for ln in lines})]
            + keys
        )
    groups = [_group(level, key, lines, actual, activated, country_of, months) for level, key in keys]
    return PlanVariance(plan=plan, as_of=as_of, months=months, groups=groups, whole_study=whole)


def _months(lines, actual, as_of: dt.date) -> list[str]:
    found = [line["month"] for line in lines] + [month for _, month in actual]
    if not found:
        return []
    return rules.months_from(min(found), max([*found, rules.month_of(as_of)]) if lines else max(found))


def _group(level, key, lines, actual, activated, country_of, months) -> VarianceGroup:
    def belongs(site: str, country: str) -> bool:
        return (
            level == "study" or (level == "country" and country == key) or (level == "site" and site == key)
        )

    planned: dict[str, int] = {}
    planned_activations = 0
    for line in lines:
        if belongs(line["site"], line["country"]):
            planned[line["month"]] = planned.get(line["month"], 0) + line["planned_enrollment"]
            planned_activations += line["planned_activations"]
    done: dict[str, int] = {}
    for site, month in actual:
        if belongs(site, country_of[site]):
            done[month] = done.get(month, 0) + 1
    rows = rules.variance_by_month(planned, done, months)
    return VarianceGroup(
        level=level,
        key=key,
        planned_enrollment=sum(planned.values()),
        actual_enrollment=sum(done.values()),
        planned_activations=planned_activations,
        actual_activations=sum(1 for site, _ in activated if belongs(site, country_of[site])),
        months=rows,
    )


def visible_lines(user: User, study: Study, plan: RecruitmentPlan) -> list[dict]:
    """The plan's lines the user may read: all for those who see every site, else their sites' lines."""
    numbers = set(
        StudySite.objects.visible_to(user).filter(study=study).values_list("site_number", flat=True)
    )
    if len(numbers) == StudySite.objects.filter(study=study).count():
        return list(plan.lines)
    return [line for line in plan.lines if line["site"] in numbers]
