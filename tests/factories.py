"""Builders for test data: a small world of two studies, their sites, and named people."""

import datetime as dt
from dataclasses import dataclass

from trialdesk.core.models import User
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.sites import services as site_services
from trialdesk.sites.models import Institution, StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Milestone, ProtocolVersion, Study

PASSWORD = "correct-horse-battery"


def make_user(username: str, *, superuser: bool = False) -> User:
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", PASSWORD)
    return User.objects.create_user(
        username, f"{username}@example.org", PASSWORD, first_name=username.replace("_", " ").title()
    )


def make_study(code: str, *, by: User, gated: bool = False, **overrides) -> Study:
    """A study; unless `gated`, its sites pass the start-up and close-out gates by a signed override for
    every site (tests of other things move sites to activated or closed without building their
    checklists; the startup app's own tests ask for `gated=True`)."""
    values = dict(
        title=f"Study {code}",
        phase="III",
        therapeutic_area="Oncology",
        sponsor="Acme Pharma",
        planned_enrollment=120,
    )
    values.update(overrides)
    study = study_services.create_study(code=code, by=by, **values)
    if not gated:
        override_site_gates(study, by=by)
    return study


def override_site_gates(study: Study, *, by: User) -> None:
    from trialdesk.startup import rules as startup_rules
    from trialdesk.startup import services as startup_services

    startup_services.sign_override(
        study=study,
        gate=startup_rules.BOTH,
        reason="Test world: checklists not built",
        password=PASSWORD,
        by=by,
    )


def make_institution(
    name: str, *, by: User, country: str = "DE", time_zone: str = "Europe/Berlin", city: str = "Berlin"
) -> Institution:
    return site_services.create_institution(name=name, city=city, country=country, time_zone=time_zone, by=by)


def make_site(
    study: Study, number: str, *, by: User, institution: Institution | None = None, **overrides
) -> StudySite:
    institution = institution or make_institution(f"Hospital {study.code}-{number}", by=by)
    return site_services.create_study_site(
        study=study,
        institution=institution,
        site_number=number,
        principal_investigator=f"Dr PI {number}",
        target_enrollment=20,
        by=by,
        **overrides,
    )


@dataclass
class World:
    """Two studies and the people around them, named as in the scoping tests' sentences."""

    admin: User
    crm: User  # CRM on study A
    monitor: User  # monitor on site A1
    coordinator: User  # coordinator on site B1 of study B
    auditor: User  # auditor on study A
    sponsor_viewer: User  # sponsor viewer on study A
    outsider: User  # no assignments
    study_a: Study
    study_b: Study
    site_a1: StudySite
    site_a2: StudySite
    site_b1: StudySite
    protocol_a: ProtocolVersion
    milestone_a: Milestone
    site_milestone_a2: Milestone

    @property
    def people(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in ("admin", "crm", "monitor", "coordinator", "auditor", "sponsor_viewer", "outsider")
        }


def build_world() -> World:
    admin = make_user("admin", superuser=True)
    crm = make_user("crm_anna")
    crm_b = make_user("crm_bruno")
    study_a = make_study("ONC-A", by=admin)
    study_b = make_study("CARD-B", by=admin, therapeutic_area="Cardiology", phase="II")
    assign_role(user=crm, role=Role.CRM, study=study_a, by=admin)
    assign_role(user=crm_b, role=Role.CRM, study=study_b, by=admin)
    site_a1 = make_site(study_a, "101", by=admin)
    site_a2 = make_site(
        study_a,
        "102",
        by=admin,
        institution=make_institution(
            "Tokyo Medical", by=admin, country="JP", time_zone="Asia/Tokyo", city="Tokyo"
        ),
    )
    site_b1 = make_site(study_b, "201", by=admin)
    monitor = make_user("monitor_mia")
    assign_role(user=monitor, role=Role.MONITOR, study_site=site_a1, by=admin)
    coordinator = make_user("coordinator_carl")
    assign_role(user=coordinator, role=Role.COORDINATOR, study_site=site_b1, by=admin)
    auditor = make_user("auditor_ada")
    assign_role(user=auditor, role=Role.AUDITOR, study=study_a, by=admin)
    sponsor_viewer = make_user("sponsor_sam")
    assign_role(user=sponsor_viewer, role=Role.SPONSOR_VIEWER, study=study_a, by=admin)
    outsider = make_user("outsider_otto")
    protocol_a = study_services.create_protocol_version(
        study=study_a, number="1.0", version_date=dt.date(2025, 1, 15), by=admin
    )
    milestone_a = study_services.create_milestone(
        study=study_a, kind="first_participant_in", baseline_on=dt.date(2025, 6, 1), by=admin
    )
    site_milestone_a2 = study_services.create_milestone(
        study=study_a, study_site=site_a2, kind="site_activated", baseline_on=dt.date(2025, 5, 1), by=admin
    )
    study_services.create_arm(study=study_a, code="A", name="Drug X 10 mg", by=admin)
    return World(
        admin=admin,
        crm=crm,
        monitor=monitor,
        coordinator=coordinator,
        auditor=auditor,
        sponsor_viewer=sponsor_viewer,
        outsider=outsider,
        study_a=study_a,
        study_b=study_b,
        site_a1=site_a1,
        site_a2=site_a2,
        site_b1=site_b1,
        protocol_a=protocol_a,
        milestone_a=milestone_a,
        site_milestone_a2=site_milestone_a2,
    )


# Participants (used by the visits tests and the scoping test) -----------------------------------------


def make_participant(study_site: StudySite, number: str, *, by: User, **overrides):
    """A participant written directly through the audited write path, without screening or consent.

    For tests of what hangs off a participant (visits, deviations); enrollment proper is the subjects
    app's service.
    """
    from trialdesk.core.records import create_record
    from trialdesk.subjects.models import Participant

    values = dict(status="enrolled", enrolled_on=dt.date(2025, 3, 1))
    values.update(overrides)
    participant = Participant(study=study_site.study, study_site=study_site, number=number, **values)
    return create_record(participant, by=by)
