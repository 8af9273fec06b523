"""Loading the demo portfolio through the services, so every record arrives with its audit trail.

The layout is deterministic for a given day: choices come from a fixed seed, dates are offsets from
today, and no actual date is ever later than yesterday (a site's local day may still be yesterday).
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.demo import participants
from trialdesk.demo.institutions import INSTITUTIONS, DemoInstitution
from trialdesk.demo.people import DEMO_PASSWORD, PEOPLE
from trialdesk.demo.studies import PROGRAMS, STUDIES, DemoMilestone, DemoProtocol, DemoStudy
from trialdesk.documents import demo as documents_demo
from trialdesk.integrations import demo as integrations_demo
from trialdesk.people import demo as people_demo
from trialdesk.regulatory import demo as regulatory_demo
from trialdesk.safety import demo as safety_demo
from trialdesk.sites import rules as site_rules
from trialdesk.sites import services as site_services
from trialdesk.sites.models import Institution, StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Study

# Areas that add their records once studies, sites, participants and role assignments exist.
# People (training, delegation) come before the amendment checklists that read them.
DEMO_AREAS = (people_demo, documents_demo, regulatory_demo, safety_demo, integrations_demo)

SEED = 20_250_611
DAY = dt.timedelta(days=1)

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
PROTOCOL_STEPS = {
    "draft": (),
    "submitted": ("submitted",),
    "approved": ("submitted", "approved"),
    "effective": ("submitted", "approved", "effective"),
}
PROTOCOL_REASONS = {
    "submitted": "Submitted to the ethics committees and competent authorities",
    "approved": "Approved by the lead ethics committee and the competent authority",
    "effective": "Implemented at sites after approval and training",
}
# Study milestones reached when the first site reaches the site milestone named here.
FIRST_AT_ANY_SITE = {"first_site_activated": "site_activated", "first_participant_in": "first_participant_in"}
# Days after the version date on which each protocol step happened.
PROTOCOL_STEP_DAYS = {"submitted": 7, "approved": 35, "effective": 49}


def planned_steps() -> int:
    """How many times `load_demo_portfolio` reports progress."""
    return 3 + len(DEMO_AREAS) + len(INSTITUTIONS) + sum(2 + len(study.site_statuses) for study in STUDIES)


def load_demo_portfolio(
    *, today: dt.date | None = None, progress: Callable[[str], None] | None = None
) -> None:
    """Load the demo portfolio in one transaction; `progress` is called once per step."""
    loader = _PortfolioLoader(today or timezone.now().date(), progress or (lambda description: None))
    with transaction.atomic():
        loader.load()


class _PortfolioLoader:
    """Creates the portfolio in order: people, programs, institutions, then each study."""

    def __init__(self, today: dt.date, progress: Callable[[str], None]):
        self.today = today
        # Actual dates stop at yesterday: west of UTC the site's local day may not have reached today.
        self.last_actual_day = today - DAY
        self.progress = progress
        self.rng = random.Random(SEED)
        self.users: dict[str, User] = {}
        self.institutions: list[Institution] = []
        self.studies: dict[str, Study] = {}
        self.sites: dict[tuple[str, str], StudySite] = {}
        self.consent_version = None  # the consent version of the study being loaded
        # Sites whose principal investigator is a demo login: the PI named on the site is that person.
        self.demo_investigators = {
            site: f"Dr {person.full_name}"
            for person in PEOPLE
            if person.role == Role.INVESTIGATOR
            for site in person.sites
        }

    @property
    def admin(self) -> User:
        return self.users["admin"]

    @property
    def crm(self) -> User:
        return self.users["crm"]

    def load(self) -> None:
        self.create_people()
        self.progress("People")
        programs = {
            name: study_services.create_program(name=name, description=description, by=self.admin)
            for name, description in PROGRAMS.items()
        }
        self.progress("Programs")
        for institution in INSTITUTIONS:
            self.institutions.append(self.create_institution(institution))
            self.progress(f"Institution {institution.name}")
        for study in STUDIES:
            self.load_study(study, program=programs.get(study.program))
        self.assign_people()
        self.progress("Role assignments")
        for area in DEMO_AREAS:
            area.load_demo(today=self.today, users=self.users)
            self.progress(f"{area.__name__.split('.')[1].capitalize()} records")

    def create_people(self) -> None:
        # One hash for all: Argon2 is slow on purpose, and the demo password is public anyway.
        password = make_password(DEMO_PASSWORD)
        for person in PEOPLE:
            is_admin = person.role == Role.ADMINISTRATOR
            self.users[person.username] = User.objects.create(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.username}@demo.trialdesk.invalid",
                password=password,
                is_superuser=is_admin,
                is_staff=is_admin,
            )
        assign_role(user=self.admin, role=Role.ADMINISTRATOR, by=None)

    def create_institution(self, institution: DemoInstitution) -> Institution:
        return site_services.create_institution(
            name=institution.name,
            city=institution.city,
            region=institution.region,
            country=institution.country,
            time_zone=institution.time_zone,
            by=self.admin,
        )

    def load_study(self, definition: DemoStudy, *, program) -> None:
        start = self.today - dt.timedelta(days=definition.started_days_ago)
        study = study_services.create_study(
            by=self.admin,
            program=program,
            code=definition.code,
            title=definition.title,
            acronym=definition.acronym,
            phase=definition.phase,
            therapeutic_area=definition.therapeutic_area,
            sponsor=definition.sponsor,
            nct_number=definition.nct_number,
            status=definition.status,
            planned_enrollment=definition.planned_enrollment,
            blinded=definition.blinded,
            description=definition.description,
        )
        self.studies[study.code] = study
        assign_role(user=self.crm, role=Role.CRM, study=study, by=self.admin)
        for protocol in definition.protocols:
            self.create_protocol_version(study, protocol, start)
        for arm in definition.arms:
            study_services.create_arm(
                study=study,
                code=arm.code,
                name=arm.name,
                arm_type=arm.arm_type,
                allocation_ratio=arm.allocation_ratio,
                by=self.crm,
            )
        self.consent_version = participants.create_consent_version(study, effective_on=start, by=self.crm)
        self.progress(f"{study.code}: protocol and arms")
        site_firsts = self.load_sites(study, definition, start)
        for milestone in definition.milestones:
            self.create_study_milestone(study, milestone, start, site_firsts)
        self.progress(f"{study.code}: milestones")

    def create_protocol_version(self, study: Study, protocol: DemoProtocol, start: dt.date) -> None:
        version_date = start + dt.timedelta(days=protocol.day)
        version = study_services.create_protocol_version(
            study=study,
            number=protocol.number,
            version_date=version_date,
            amendment_number=protocol.amendment_number,
            summary_of_changes=protocol.summary_of_changes,
            by=self.crm,
        )
        for step in PROTOCOL_STEPS[protocol.status]:
            on = min(version_date + dt.timedelta(days=PROTOCOL_STEP_DAYS[step]), self.last_actual_day)
            version = study_services.change_protocol_status(
                protocol_version=version, to=step, on=on, by=self.crm, reason=PROTOCOL_REASONS[step]
            )

    def load_sites(self, study: Study, definition: DemoStudy, start: dt.date) -> dict[str, dt.date]:
        """Create the study's sites and walk each to its status; returns each site milestone's first date."""
        first_activation_day = next(
            m.baseline_day for m in definition.milestones if m.kind == "first_site_activated"
        )
        chosen = self.rng.sample(range(len(self.institutions)), len(definition.site_statuses))
        earliest: dict[str, dt.date] = {}
        for index, (institution_index, reached) in enumerate(
            zip(chosen, definition.site_statuses, strict=True)
        ):
            number = str(101 + index)
            planned = start + dt.timedelta(
                days=first_activation_day + index * definition.site_stagger_days + self.rng.randint(0, 10)
            )
            site = self.create_site(study, definition, number, institution_index, planned)
            site = self.walk_site_status(site, reached, planned)
            for kind, achieved in self.create_site_milestones(study, site, planned, reached).items():
                earliest[kind] = min(achieved, earliest.get(kind, achieved))
            self.sites[(study.code, number)] = site
            if (study.code, number) == participants.DEVIATION_SITE:
                participants.create_deviations(site, last_actual_day=self.last_actual_day, by=self.crm)
            self.progress(f"{study.code}: site {number}")
        return earliest

    def create_site(
        self, study: Study, definition: DemoStudy, number: str, institution_index: int, planned: dt.date
    ) -> StudySite:
        investigator = self.demo_investigators.get((study.code, number)) or self.rng.choice(
            INSTITUTIONS[institution_index].investigators
        )
        share = study.planned_enrollment / len(definition.site_statuses)
        return site_services.create_study_site(
            study=study,
            institution=self.institutions[institution_index],
            site_number=number,
            principal_investigator=investigator,
            target_enrollment=max(3, round(share * self.rng.uniform(0.6, 1.4))),
            planned_activation_on=planned,
            by=self.crm,
        )

    def walk_site_status(self, site: StudySite, reached: str, planned: dt.date) -> StudySite:
        """Move a site one allowed step at a time to the status it has reached, each step audited."""
        final, _, from_status = reached.partition("@")
        along = from_status or final
        path = list(site_rules.LIFECYCLE[1 : site_rules.LIFECYCLE.index(along) + 1])
        if from_status:
            path.append(final)
        activated_on = min(planned + dt.timedelta(days=self.rng.randint(-10, 25)), self.last_actual_day - DAY)
        for status in path:
            site = site_services.change_site_status(
                study_site=site,
                to=status,
                on=activated_on if status == "activated" else None,
                by=self.crm,
                reason=STATUS_REASONS[status],
            )
            if self.consent_version is None:
                continue
            if status == "activated":
                participants.approve_consent(self.consent_version, site, by=self.crm)
            elif status == "enrolling":
                # Participants are enrolled while the site enrolls, before it closes or pauses.
                participants.load_site_participants(
                    site, self.consent_version, last_actual_day=self.last_actual_day, by=self.crm
                )
        return site

    def create_site_milestones(
        self, study: Study, site: StudySite, planned: dt.date, reached: str
    ) -> dict[str, dt.date]:
        """A site's activation and first participant in; returns the actual dates of those achieved."""
        if reached.startswith("terminated") and not site.activated_on:
            return {}  # a site dropped before activation has nothing left to plan
        achieved = {"site_activated": site.activated_on} if site.activated_on else {}
        forecast = None
        if not site.activated_on:
            forecast = planned + dt.timedelta(days=self.rng.choice((0, 0, 14, 30, 45)))
            if forecast <= self.today:
                forecast = self.today + dt.timedelta(days=self.rng.randint(14, 60))
        study_services.create_milestone(
            study=study,
            study_site=site,
            kind="site_activated",
            baseline_on=planned,
            forecast_on=forecast,
            actual_on=site.activated_on,
            by=self.crm,
        )
        if reached.split("@")[-1] in ("enrolling", "enrollment_closed", "closed"):
            first_in = site.activated_on + dt.timedelta(days=self.rng.randint(7, 60))
            # Where the demo enrolled people, the first participant in is the first one enrolled.
            first_in = (
                site.participants.order_by("enrolled_on").values_list("enrolled_on", flat=True).first()
                or first_in
            )
            done = first_in <= self.last_actual_day
            study_services.create_milestone(
                study=study,
                study_site=site,
                kind="first_participant_in",
                baseline_on=planned + dt.timedelta(days=45),
                forecast_on=None if done else first_in,
                actual_on=first_in if done else None,
                by=self.crm,
            )
            if done:
                achieved["first_participant_in"] = first_in
        return achieved

    def create_study_milestone(
        self, study: Study, milestone: DemoMilestone, start: dt.date, site_firsts: dict[str, dt.date]
    ) -> None:
        baseline = start + dt.timedelta(days=milestone.baseline_day)
        expected = baseline + dt.timedelta(days=milestone.slip_days)
        if milestone.kind in FIRST_AT_ANY_SITE:
            # The study's first activation (first participant) is its earliest site's, or still ahead.
            expected = site_firsts.get(FIRST_AT_ANY_SITE[milestone.kind]) or max(
                expected, self.today + 7 * DAY
            )
        record = study_services.create_milestone(
            study=study, kind=milestone.kind, baseline_on=baseline, by=self.crm
        )
        if expected <= self.last_actual_day:
            study_services.update_milestone(
                milestone=record,
                changes={"actual_on": expected},
                by=self.crm,
                reason=f"{record.label} achieved",
            )
        elif expected != baseline:
            study_services.update_milestone(
                milestone=record,
                changes={"forecast_on": expected},
                by=self.crm,
                reason="Re-forecast at the monthly timeline review",
            )

    def assign_people(self) -> None:
        for person in PEOPLE:
            user = self.users[person.username]
            codes = tuple(self.studies) if person.studies == ("*",) else person.studies
            for code in codes:
                if person.role != Role.CRM:  # the CRM was assigned as each study was set up
                    assign_role(user=user, role=person.role, study=self.studies[code], by=self.admin)
            for code, number in person.sites:
                assign_role(user=user, role=person.role, study_site=self.sites[(code, number)], by=self.admin)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    scope: str


def demo_logins() -> list[DemoLogin]:
    """The demo people present in the database, with where each one's role applies."""
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])}
    study_count = Study.objects.count()
    return [
        DemoLogin(
            person.username,
            DEMO_PASSWORD,
            Role(person.role).label,
            _scope(users[person.username], study_count),
        )
        for person in PEOPLE
        if person.username in users
    ]


def _scope(user: User, study_count: int) -> str:
    assignments = RoleAssignment.objects.filter(user=user).select_related("study", "study_site__study")
    studies = sorted(a.study.code for a in assignments if a.study_id and not a.study_site_id)
    sites: dict[str, list[str]] = {}
    for a in assignments:
        if a.study_site_id:
            sites.setdefault(a.study_site.study.code, []).append(a.study_site.site_number)
    parts = []
    if any(a.scope == "global" for a in assignments):
        parts.append("whole installation")
    if studies:
        parts.append(f"all {len(studies)} studies" if len(studies) == study_count else ", ".join(studies))
    for code, numbers in sorted(sites.items()):
        label = "site" if len(numbers) == 1 else "sites"
        parts.append(f"{code} {label} {', '.join(sorted(numbers))}")
    return "; ".join(parts) or "no assignments"
