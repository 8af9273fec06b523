"""Builders for regulatory test data, through the services: committees, submissions, amendments."""

import datetime as dt

from trialdesk.core.models import User
from trialdesk.regulatory import services
from trialdesk.regulatory.models import EthicsCommittee, RegulatoryAuthority, Submission
from trialdesk.sites.models import StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.models import ProtocolVersion, Study


def make_committee(
    name: str = "Ethik-Kommission Berlin",
    *,
    by: User,
    country: str = "DE",
    committee_type: str = "local_ec",
    continuing_review_months: int | None = 12,
    **values,
) -> EthicsCommittee:
    return services.create_committee(
        name=name,
        country=country,
        committee_type=committee_type,
        continuing_review_months=continuing_review_months,
        by=by,
        **values,
    )


def authority(code: str) -> RegulatoryAuthority:
    return RegulatoryAuthority.objects.get(code=code)


def approve_at_site(
    site: StudySite,
    committee: EthicsCommittee,
    *,
    by: User,
    kind: str = "initial",
    submitted_on: dt.date = dt.date(2025, 1, 10),
    decided_on: dt.date = dt.date(2025, 1, 15),
    expires_on: dt.date | None = None,
    protocol_version: ProtocolVersion | None = None,
) -> Submission:
    """An ethics submission of the site, approved."""
    return services.create_submission(
        study=site.study,
        study_site=site,
        ethics_committee=committee,
        kind=kind,
        protocol_version=protocol_version,
        submitted_on=submitted_on,
        outcome="approved",
        decided_on=decided_on,
        expires_on=expires_on,
        by=by,
    )


def make_approved_amendment(study: Study, *, by: User, number: str = "2.0", amendment_number: int = 1):
    """A new protocol version walked to "approved" by the sponsor."""
    version = study_services.create_protocol_version(
        study=study, number=number, version_date=dt.date(2025, 4, 1), amendment_number=amendment_number, by=by
    )
    for status in ("submitted", "approved"):
        version = study_services.change_protocol_status(
            protocol_version=version, to=status, by=by, reason="test set-up", on=dt.date(2025, 4, 10)
        )
    return version


def authorise_at_site(
    site: StudySite,
    protocol_version: ProtocolVersion,
    *,
    by: User,
    code: str = "BfArM",
    submitted_on: dt.date = dt.date(2025, 4, 20),
    decided_on: dt.date | None = dt.date(2025, 5, 11),
    outcome: str = "approved",
) -> Submission:
    """The amendment's submission to the authority of the site's country, and its decision, if any."""
    return services.create_submission(
        study=site.study,
        study_site=site,
        authority=authority(code),
        kind="amendment",
        protocol_version=protocol_version,
        submitted_on=submitted_on,
        outcome=outcome if decided_on else "",
        decided_on=decided_on,
        by=by,
    )
