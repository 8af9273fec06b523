"""Builders for people tests: staff at a site, their training, delegations and disclosures."""

import datetime as dt

from tests.factories import PASSWORD, make_user
from trialdesk.core.models import User
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.people import services
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion

__all__ = ["PASSWORD", "approve_protocol", "make_staff", "train", "delegate"]


def approve_protocol(version: ProtocolVersion, *, by: User, on: dt.date = dt.date(2025, 2, 1)):
    """Mark a protocol version approved by the sponsor (written directly: no workflow under test)."""
    from trialdesk.core.records import update_record

    return update_record(
        version, changes={"status": "approved", "approved_on": on}, by=by, reason="approved for tests"
    )


def make_staff(site: StudySite, username: str, *, by: User, role: str = Role.COORDINATOR) -> User:
    person = make_user(username)
    assign_role(user=person, role=role, study_site=site, by=by)
    return person


def train(
    person: User,
    site: StudySite,
    *,
    by: User,
    protocol: ProtocolVersion | None = None,
    gcp_until: dt.date | None = None,
    system: bool = True,
):
    """Current GCP (until `gcp_until`, default in two years), training on `protocol`, and system training,
    completed ten days before the site's local today."""
    today = site.local_today()
    done_on = today - dt.timedelta(days=10)
    services.record_training(
        study=site.study,
        study_site=site,
        staff_member=person,
        kind="gcp",
        title="ICH E6(R3) GCP",
        completed_on=done_on,
        expires_on=gcp_until or today + dt.timedelta(days=730),
        by=by,
    )
    if protocol is not None:
        services.record_training(
            study=site.study,
            study_site=site,
            staff_member=person,
            kind="protocol",
            protocol_version=protocol,
            completed_on=done_on,
            by=by,
        )
    if system:
        services.record_training(
            study=site.study,
            study_site=site,
            staff_member=person,
            kind="system",
            title="EDC",
            completed_on=done_on,
            by=by,
        )


def delegate(site: StudySite, person: User, tasks, *, by: User, signer: User | None = None, **values):
    """A delegation entry, signed by `signer` (an investigator at the site) when given."""
    values.setdefault("starts_on", site.local_today() - dt.timedelta(days=5))
    entry = services.create_delegation(
        study_site=site, staff_member=person, tasks=list(tasks), by=by, **values
    )
    if signer is not None:
        entry = services.sign_delegation(entry=entry, password=PASSWORD, by=signer)
    return entry


def keep_delegation_log(
    site: StudySite, *, protocol: ProtocolVersion, by: User, tasks=("ae_assessment",), username="pi_ida"
) -> User:
    """`site` starts keeping its delegation log in Trialdesk: an investigator, trained on the approved
    `protocol`, delegated `tasks` and signed (in force from five days ago). Returns the investigator;
    everyone else at the site is now off the log."""
    approve_protocol(protocol, by=by)
    investigator = make_staff(site, username, by=by, role=Role.INVESTIGATOR)
    train(investigator, site, by=by, protocol=protocol)
    delegate(site, investigator, tasks, by=by, signer=investigator, study_role="principal_investigator")
    return investigator
