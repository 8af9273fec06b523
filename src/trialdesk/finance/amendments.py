"""The budget amendment on each site's amendment implementation checklist (regulatory's "amendment
chain"): a protocol amendment that changes the schedule of activities changes what each site is paid, so
the site's fee schedule must price every visit of the new protocol version. The study budget version
made for the amendment (BudgetVersion.protocol_version) is named beside it."""

from trialdesk.core.extensions import AmendmentItem
from trialdesk.finance.models import BudgetVersion, FeeSchedule
from trialdesk.visits.models import VisitDefinition


def fee_schedule_states(protocol_version, sites) -> dict[int, tuple[str, str]]:
    """{site id: (state, detail)} in three queries; sites without a fee schedule have nothing to amend."""
    site_ids = [site.pk for site in sites]
    codes = sorted(
        VisitDefinition.objects.filter(protocol_version=protocol_version).values_list("code", flat=True)
    )
    latest: dict[int, FeeSchedule] = {}
    for schedule in FeeSchedule.objects.filter(study_site_id__in=site_ids).order_by("effective_on", "id"):
        latest[schedule.study_site_id] = schedule
    budget = (
        BudgetVersion.objects.filter(protocol_version=protocol_version)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    budget_note = (
        f"; study budget v{budget} made for this amendment"
        if budget
        else "; no study budget version names it"
    )
    found = {}
    for site_id, schedule in latest.items():
        missing = [code for code in codes if (schedule.visit_fees or {}).get(code) is None]
        if not codes:
            found[site_id] = ("unknown", "the new version has no schedule of activities yet" + budget_note)
        elif missing:
            found[site_id] = ("pending", f"fees missing for {', '.join(missing)}" + budget_note)
        else:
            found[site_id] = (
                "done",
                f"fee schedule from {schedule.effective_on.isoformat()} prices every visit" + budget_note,
            )
    return found


FEE_SCHEDULE_ITEM = AmendmentItem(
    "fee_schedule", "Site budget (fee schedule) amended", fee_schedule_states, order=400
)
