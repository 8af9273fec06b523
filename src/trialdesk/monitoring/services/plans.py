"""Writes of monitoring plans (each change a new version with its reason) and site set-ups."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.monitoring.models import MonitoringPlan, SiteMonitoring, TierRule
from trialdesk.monitoring.permissions import ONLY_CRM, ONLY_SITE_CRA, can_manage_monitoring, can_monitor_site
from trialdesk.monitoring.services.numbering import next_number
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

PLAN_FIELDS = (
    "effective_on",
    "first_imv_weeks",
    "cov_within_days",
    "qualification_required",
    "report_due_working_days",
    "approval_due_working_days",
    "escalation_days",
    "for_cause_within_days",
    "signal_triage_days",
    "primary_endpoint_visits",
    "notes",
)
TIER_FIELDS = (
    "interval_days",
    "modality",
    "remote_allowed",
    "sdv_percent",
    "sdr_percent",
    "critical_sdv_percent",
)
# A first plan's tier rules, for the CRM to adjust: Trialdesk's starting point, not a standard. High-risk
# sites get 100 % SDV of critical data (consent, eligibility, primary endpoint, SAEs) every 4 weeks.
DEFAULT_TIERS: dict[str, dict] = {
    "high": dict(
        interval_days=28,
        modality="on_site",
        remote_allowed=False,
        sdv_percent=100,
        sdr_percent=100,
        critical_sdv_percent=100,
    ),
    "medium": dict(
        interval_days=56,
        modality="alternating",
        remote_allowed=True,
        sdv_percent=50,
        sdr_percent=100,
        critical_sdv_percent=100,
    ),
    "low": dict(
        interval_days=84,
        modality="remote",
        remote_allowed=True,
        sdv_percent=20,
        sdr_percent=50,
        critical_sdv_percent=100,
    ),
}
SETUP_FIELDS = (
    "cra",
    "backup_cra",
    "tier_override",
    "site_latitude",
    "site_longitude",
    "cra_base",
    "cra_base_latitude",
    "cra_base_longitude",
    "travel_mode",
    "typed_distance_km",
)
# What a site's CRA may change in the set-up themselves: their own travel, not who monitors the site.
CRA_SETUP_FIELDS = ("cra_base", "cra_base_latitude", "cra_base_longitude", "travel_mode", "typed_distance_km")


@transaction.atomic
def create_plan(
    *, study: Study, by: User | None, reason: str = "", tier_rules: dict[str, dict] | None = None, **values
) -> MonitoringPlan:
    """A new version of the study's plan: the values given, the rest (and the tier rules not given)
    carried over from the version in force, else the defaults. A version after the first needs a reason."""
    if by is not None:
        require(can_manage_monitoring(by, study.pk), ONLY_CRM)
    values = records.only_fields(values, PLAN_FIELDS)
    previous = MonitoringPlan.objects.filter(study=study).order_by("-number").first()
    if previous is not None:
        reason = records.require_reason(reason)
        values = {**{name: getattr(previous, name) for name in PLAN_FIELDS}, **values}
    if values.get("effective_on") is None:
        raise ValidationError({"effective_on": gettext("Give the day this plan version comes into force.")})
    plan = MonitoringPlan(
        study=study, number=next_number(MonitoringPlan.objects.filter(study=study)), created_by=by, **values
    )
    records.create_record(plan, by=by, reason=reason or "first monitoring plan")
    for tier, rule in _tier_values(previous, tier_rules or {}).items():
        records.create_record(TierRule(plan=plan, tier=tier, **rule), by=by, reason=f"plan v{plan.number}")
    return plan


def _tier_values(previous: MonitoringPlan | None, given: dict[str, dict]) -> dict[str, dict]:
    unknown = sorted(set(given) - set(DEFAULT_TIERS))
    if unknown:
        raise ValidationError(
            {
                "tier_rules": gettext("There is no tier %(tiers)s; the tiers are low, medium and high.")
                % {"tiers": ", ".join(unknown)}
            }
        )
    carried = (
        {rule.tier: {name: getattr(rule, name) for name in TIER_FIELDS} for rule in previous.tier_rules.all()}
        if previous
        else {}
    )
    found = {}
    for tier, defaults in DEFAULT_TIERS.items():
        changes = records.only_fields(dict(given.get(tier, {})), TIER_FIELDS)
        found[tier] = {**defaults, **carried.get(tier, {}), **changes}
    return found


@transaction.atomic
def save_site_setup(
    *, study_site: StudySite, by: User, reason: str = "", expected_version: int | None = None, **values
) -> SiteMonitoring:
    """Create or change the site's monitoring set-up (the CRM: all of it; the site's CRA: their travel)."""
    values = records.only_fields(values, SETUP_FIELDS)
    if not can_manage_monitoring(by, study_site.study_id):
        require(can_monitor_site(by, study_site), ONLY_SITE_CRA)
        require(
            set(values) <= set(CRA_SETUP_FIELDS), "Only the study's CRM assigns CRAs and sets a risk tier."
        )
    existing = SiteMonitoring.objects.filter(study_site=study_site).first()
    if existing is None:
        setup = SiteMonitoring(study_id=study_site.study_id, study_site=study_site, **values)
        return records.create_record(setup, by=by, reason=reason)
    return records.update_record(
        existing, changes=values, by=by, reason=reason, expected_version=expected_version
    )
