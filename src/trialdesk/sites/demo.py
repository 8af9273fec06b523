"""The demo's institutions and study sites: each site walked through its lifecycle, step by audited step.

As a site reaches each status the apps above do their part (core.extensions.demo_site_steps: the
consent approval at activation, screening and enrollment while it enrolls), so records follow the
order they would have in real life. Then the site's milestones and the study's milestones that
depend on its sites (first site activated, first participant in).
"""

import datetime as dt

from trialdesk.core import extensions
from trialdesk.core.demo import DAY, PEOPLE, DemoContext
from trialdesk.core.roles import Role
from trialdesk.sites import rules, services
from trialdesk.sites.demo_data import INSTITUTIONS, DemoInstitution
from trialdesk.sites.models import Institution, StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.demo import study_start
from trialdesk.studies.demo_data import STUDIES, DemoMilestone, DemoStudy
from trialdesk.studies.models import Study

# Why a site moves into each status, as a CRM would write it in the reason for change.
STATUS_REASONS = {
    "under_feasibility": "Feasibility questionnaire sent to the investigator",
    "selected": "Selected after feasibility review and pre-study visit",
    "start_up": "Confidential disclosure and site selection letter signed; start-up begun",
    "activated": "Green light: contract, budget, ethics approval, training and initiation visit complete",
    "enrolling": "First participant screened",
    "enrollment_closed": "Study-wide enrollment target reached",
    "closed": "Close-out visit completed; essential documents reconciled",
    "on_hold": "Recruitment paused: investigator on leave, sub-investigator not yet trained",
    "terminated": "Site not able to meet the recruitment projection agreed at selection",
}
# Study milestones reached when the first site reaches the site milestone named here.
FIRST_AT_ANY_SITE = {"first_site_activated": "site_activated", "first_participant_in": "first_participant_in"}


def load_sites(demo: DemoContext) -> None:
    """Institutions, then each study's sites and milestones; leaves made["sites"] {(code, number): site}."""
    institutions = [_create_institution(demo, institution) for institution in INSTITUTIONS]
    demo.progress("Institutions")
    demo.made["sites"] = {}
    rng = demo.rng("sites")
    for definition in STUDIES:
        study = demo.made["studies"][definition.code]
        firsts = _load_study_sites(demo, rng, study, definition, institutions)
        for milestone in definition.milestones:
            _create_study_milestone(demo, study, milestone, study_start(demo, definition), firsts)
        demo.progress(f"{study.code}: sites and milestones")
    countries = Institution.objects.filter(study_sites__isnull=False).values("country").distinct().count()
    demo.summary.append(f"{len(demo.made['sites'])} study sites in {countries} countries")


def _create_institution(demo: DemoContext, institution: DemoInstitution) -> Institution:
    return services.create_institution(
        name=institution.name,
        city=institution.city,
        region=institution.region,
        country=institution.country,
        time_zone=institution.time_zone,
        by=demo.admin,
    )


def _load_study_sites(demo, rng, study: Study, definition: DemoStudy, institutions) -> dict[str, dt.date]:
    """Create the study's sites and walk each to its status; returns each site milestone's first date."""
    start = study_start(demo, definition)
    first_activation_day = next(
        m.baseline_day for m in definition.milestones if m.kind == "first_site_activated"
    )
    chosen = rng.sample(range(len(institutions)), len(definition.site_statuses))
    earliest: dict[str, dt.date] = {}
    for index, (institution_index, reached) in enumerate(zip(chosen, definition.site_statuses, strict=True)):
        number = str(101 + index)
        planned = start + dt.timedelta(
            days=first_activation_day + index * definition.site_stagger_days + rng.randint(0, 10)
        )
        site = _create_site(demo, rng, study, definition, number, institutions, institution_index, planned)
        site = _walk_site_status(demo, rng, site, reached, planned)
        demo.made["sites"][(study.code, number)] = site
        for kind, achieved in _create_site_milestones(demo, rng, study, site, planned, reached).items():
            earliest[kind] = min(achieved, earliest.get(kind, achieved))
    return earliest


def _demo_investigator(study: Study, number: str) -> str | None:
    """Sites whose principal investigator is a demo login: the PI named on the site is that person."""
    for person in PEOPLE:
        if person.role == Role.INVESTIGATOR and (study.code, number) in person.sites:
            return f"Dr {person.full_name}"
    return None


def _create_site(demo, rng, study, definition, number, institutions, institution_index, planned) -> StudySite:
    investigator = _demo_investigator(study, number) or rng.choice(
        INSTITUTIONS[institution_index].investigators
    )
    share = study.planned_enrollment / len(definition.site_statuses)
    return services.create_study_site(
        study=study,
        institution=institutions[institution_index],
        site_number=number,
        principal_investigator=investigator,
        target_enrollment=max(3, round(share * rng.uniform(0.6, 1.4))),
        planned_activation_on=planned,
        by=demo.crm,
    )


def _walk_site_status(demo, rng, site: StudySite, reached: str, planned: dt.date) -> StudySite:
    """Move a site one allowed step at a time to the status it has reached, each step audited."""
    final, _, from_status = reached.partition("@")
    along = from_status or final
    path = list(rules.LIFECYCLE[1 : rules.LIFECYCLE.index(along) + 1])
    if from_status:
        path.append(final)
    activated_on = min(planned + dt.timedelta(days=rng.randint(-10, 25)), demo.last_actual_day - DAY)
    for status in path:
        site = services.change_site_status(
            study_site=site,
            to=status,
            on=activated_on if status == "activated" else None,
            by=demo.crm,
            reason=STATUS_REASONS[status],
        )
        extensions.run_hooks(extensions.demo_site_steps, demo=demo, site=site, status=status)
    return site


def _create_site_milestones(demo, rng, study: Study, site: StudySite, planned: dt.date, reached: str) -> dict:
    """A site's activation and first participant in; returns the actual dates of those achieved."""
    if reached.startswith("terminated") and not site.activated_on:
        return {}  # a site dropped before activation has nothing left to plan
    achieved = {"site_activated": site.activated_on} if site.activated_on else {}
    forecast = None
    if not site.activated_on:
        forecast = planned + dt.timedelta(days=rng.choice((0, 0, 14, 30, 45)))
        if forecast <= demo.today:
            forecast = demo.today + dt.timedelta(days=rng.randint(14, 60))
    study_services.create_milestone(
        study=study,
        study_site=site,
        kind="site_activated",
        baseline_on=planned,
        forecast_on=forecast,
        actual_on=site.activated_on,
        by=demo.crm,
    )
    if reached.split("@")[-1] in ("enrolling", "enrollment_closed", "closed"):
        first_in = site.activated_on + dt.timedelta(days=rng.randint(7, 60))
        # Where the demo enrolled people, the first participant in is the first one enrolled.
        first_in = (
            site.participants.order_by("enrolled_on").values_list("enrolled_on", flat=True).first()
            or first_in
        )
        done = first_in <= demo.last_actual_day
        study_services.create_milestone(
            study=study,
            study_site=site,
            kind="first_participant_in",
            baseline_on=planned + dt.timedelta(days=45),
            forecast_on=None if done else first_in,
            actual_on=first_in if done else None,
            by=demo.crm,
        )
        if done:
            achieved["first_participant_in"] = first_in
    return achieved


def _create_study_milestone(
    demo: DemoContext, study: Study, milestone: DemoMilestone, start: dt.date, site_firsts: dict[str, dt.date]
) -> None:
    baseline = start + dt.timedelta(days=milestone.baseline_day)
    expected = baseline + dt.timedelta(days=milestone.slip_days)
    if milestone.kind in FIRST_AT_ANY_SITE:
        # The study's first activation (first participant) is its earliest site's, or still ahead.
        expected = site_firsts.get(FIRST_AT_ANY_SITE[milestone.kind]) or max(expected, demo.today + 7 * DAY)
    record = study_services.create_milestone(
        study=study, kind=milestone.kind, baseline_on=baseline, by=demo.crm
    )
    if expected <= demo.last_actual_day:
        study_services.update_milestone(
            milestone=record, changes={"actual_on": expected}, by=demo.crm, reason=f"{record.label} achieved"
        )
    elif expected != baseline:
        study_services.update_milestone(
            milestone=record,
            changes={"forecast_on": expected},
            by=demo.crm,
            reason="Re-forecast at the monthly timeline review",
        )
