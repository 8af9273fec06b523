"""A gated study for the startup tests: no test-world override, one site in New Zealand (no country rules
ship, so its national requirements are ticked by hand) with its consent form approved, the standard items
that need other apps' records marked not required by the study, and an item of the study's own — leaving
two items, both ticked by hand."""

import datetime as dt

from tests.factories import make_institution, make_site, make_study
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.startup import rules, services
from trialdesk.studies import services as study_services
from trialdesk.subjects.tests.factories import make_consent_version

RECORDED_ELSEWHERE = (
    "confidentiality_agreement",
    "contract_budget",
    "essential_documents",
    "staff_trained",
    "delegation_log",
    "initiation_visit",
    "ip_received",
)
OWN_ITEM = "pharmacy_check"


def gated_study(world, code="GATE-1"):
    study = make_study(code, by=world.admin, gated=True)
    assign_role(user=world.crm, role=Role.CRM, study=study, by=world.admin)
    institution = make_institution(
        f"Auckland {code}", by=world.admin, country="NZ", time_zone="Pacific/Auckland", city="Auckland"
    )
    site = make_site(study, "501", by=world.admin, institution=institution)
    protocol = study_services.create_protocol_version(
        study=study, number="1.0", version_date=dt.date(2025, 1, 15), by=world.admin
    )
    make_consent_version(study, by=world.admin, approved_at=[site], protocol_version=protocol)
    for key in RECORDED_ELSEWHERE:
        services.set_study_item(study=study, gate=rules.ACTIVATION, key=key, required=False, by=world.crm)
    services.set_study_item(
        study=study, gate=rules.ACTIVATION, key=OWN_ITEM, label="Pharmacy set-up checked", by=world.crm
    )
    return study, site


def walk_to(site, status, *, by):
    from trialdesk.sites import services as site_services

    for step in ("under_feasibility", "selected", "start_up", "activated", "enrolling")[
        : ("under_feasibility", "selected", "start_up", "activated", "enrolling").index(status) + 1
    ]:
        site = site_services.change_site_status(study_site=site, to=step, by=by, reason=f"to {step}")
    return site
