"""Builders for monitoring tests, on top of the shared world (tests.factories.build_world)."""

import datetime as dt

from tests.factories import make_participant, make_user
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.monitoring import services

BERLIN = (52.5200, 13.4050)
FRANKFURT = (50.1109, 8.6821)


def plan(world, study=None, **values):
    values.setdefault("effective_on", dt.date(2025, 1, 1))
    return services.create_plan(study=study or world.study_a, by=world.admin, **values)


def coordinator_at(world, site, username="coordinator_a1"):
    person = make_user(username)
    assign_role(user=person, role=Role.COORDINATOR, study_site=site, by=world.admin)
    return person


def set_up(world, site=None, **values):
    """Site A1 monitored by the world's monitor from Frankfurt, the site in Berlin, by car."""
    values = {
        "cra": world.monitor,
        "site_latitude": BERLIN[0],
        "site_longitude": BERLIN[1],
        "cra_base": "Frankfurt",
        "cra_base_latitude": FRANKFURT[0],
        "cra_base_longitude": FRANKFURT[1],
        "travel_mode": "car",
        **values,
    }
    return services.save_site_setup(
        study_site=site or world.site_a1, by=world.admin, reason="set up", **values
    )


def conducted(world, *, site=None, day=dt.date(2025, 3, 10), visit_type="imv", modality="on_site", by=None):
    """A visit conducted at site A1 (by its monitor), with its report opened."""
    site = site or world.site_a1
    by = by or world.monitor
    visit = services.schedule_visit(
        study_site=site, by=by, visit_type=visit_type, modality=modality, planned_on=day
    )
    return services.move_visit(visit=visit, move="conduct", by=by, conducted_on=day, travel_days=1)


def answered(report, *, by):
    """Every question of the report answered yes."""
    from trialdesk.monitoring.rules.reports import template

    answers = {q.key: {"answer": "yes", "comment": ""} for q in template(report.visit.visit_type)}
    return services.update_report(report=report, by=by, answers=answers, summary="All well.")


def enrolled(world, site, number, *, on=dt.date(2025, 1, 10), **values):
    return make_participant(site, number, by=world.admin, enrolled_on=on, **values)


def enrolling(world, site=None, *, activated_on=dt.date(2025, 1, 5)):
    """Walk a site of the world (identified) to enrolling, activated on `activated_on`."""
    from trialdesk.sites import services as site_services

    site = site or world.site_a1
    for status in ("under_feasibility", "selected", "start_up", "activated", "enrolling"):
        on = activated_on if status == "activated" else None
        site = site_services.change_site_status(
            study_site=site, to=status, by=world.admin, reason="walked", on=on
        )
    return site
