"""The regulatory part of the demo portfolio, loaded after studies, sites and participants exist.

Every demo institution gets its local ethics committee (continuing review as its country's rules say).
ONC-102's sites have their initial ethics approvals, renewed where the committee reviews yearly; one
site's approval expired last week, so enrollment there is blocked until the renewal is recorded.
ONC-102's protocol v1.1 (amendment 1) is approved by the sponsor and being implemented, with its
sites at different points of the checklist: one approved with its new consent approved and the new
schedule applied (its participants now to re-consent), one just approved, one waiting for its
committee, one not yet submitted.
"""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.regulatory import country_rules, selectors, services
from trialdesk.regulatory.models import EthicsCommittee, RegulatoryAuthority
from trialdesk.regulatory.rules import oversight
from trialdesk.sites.models import StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.models import ProtocolStatus, Study
from trialdesk.subjects import services as subject_services

DAY = dt.timedelta(days=1)
AMENDMENT_STUDY = "ONC-102"
AMENDMENT_VERSION = "1.1"


def load_demo(*, today: dt.date, users: dict) -> None:
    """Add this area's demo records; `users` maps demo usernames (crm, admin, …) to users."""
    crm = users["crm"]
    services.load_shipped_authorities()  # a demo reset wipes the reference data with the rest
    committees = _committees(users["admin"], today)
    # Every other study's activated sites: their initial approval before activation, renewed on time.
    others = StudySite.objects.exclude(study__code=AMENDMENT_STUDY).select_related("study", "institution")
    _initial_approvals(list(others.order_by("study__code", "site_number")), committees, today=today, by=crm,
                       lapse_last=False)  # fmt: skip
    study = Study.objects.filter(code=AMENDMENT_STUDY).first()
    if study is None:
        return
    sites = list(StudySite.objects.filter(study=study).select_related("institution").order_by("site_number"))
    _initial_approvals(sites, committees, today=today, by=crm)
    _amendment(study, sites, committees, today=today, by=crm)


def _committees(admin, today: dt.date) -> dict[int, EthicsCommittee]:
    """One local committee per institution taking part in a study, keyed by institution id."""
    found = {}
    institutions = {site.institution for site in StudySite.objects.select_related("institution")}
    for institution in sorted(institutions, key=lambda i: i.name):
        jurisdiction = country_rules.rules_for(institution.country)
        found[institution.pk] = services.create_committee(
            name=f"Ethics Committee of {institution.name}",
            country=institution.country,
            committee_type="local_irb" if institution.country == "US" else "local_ec",
            continuing_review_months=jurisdiction.continuing_review_months(today) if jurisdiction else 12,
            safety_report_days=15,
            deviation_report_days=7,
            wants_annual_progress_report=True,
            by=admin,
        )
    return found


def _initial_approvals(sites, committees, *, today: dt.date, by, lapse_last: bool = True) -> None:
    """Each activated site's initial approval ten days before its activation (after its contract:
    finance.demo), renewed as its committee's continuing review asks."""
    activated = [s for s in sites if s.activated_on]
    for index, site in enumerate(activated):
        committee = committees[site.institution_id]
        approved_on = site.activated_on - 10 * DAY
        # The last activated site's committee stated an expiry that passed last week: enrollment is blocked.
        lapsed = lapse_last and index == len(activated) - 1
        services.create_submission(
            study=site.study,
            study_site=site,
            ethics_committee=committee,
            kind="initial",
            reference=f"EC-{site.study.code}-{site.site_number}",
            documents_included="Protocol v1.0\nInformed consent form v1.0 (en)\nInvestigator's brochure",
            submitted_on=approved_on - 30 * DAY,
            outcome="approved",
            decided_on=approved_on,
            expires_on=today - 7 * DAY if lapsed else None,
            by=by,
        )
        if not lapsed:
            _renewals(site, committee, approved_on, today=today, by=by)


def _renewals(site, committee, approved_on: dt.date, *, today: dt.date, by) -> None:
    """Continuing reviews approved a few weeks before each approval ran out, up to today."""
    valid_until = oversight.continuing_review_due_on(
        approved_on=approved_on, period_months=committee.continuing_review_months
    )
    while valid_until is not None and valid_until - 20 * DAY < today:
        renewed_on = valid_until - 20 * DAY
        services.create_submission(
            study=site.study,
            study_site=site,
            ethics_committee=committee,
            kind="continuing_review",
            documents_included="Annual progress report",
            submitted_on=renewed_on - 25 * DAY,
            outcome="approved",
            decided_on=renewed_on,
            by=by,
        )
        valid_until = oversight.continuing_review_due_on(
            approved_on=renewed_on, period_months=committee.continuing_review_months
        )


def _authority_for(country: str) -> RegulatoryAuthority | None:
    authorities = [a for a in selectors.authorities() if country in a.countries]
    national = [a for a in authorities if a.code != "EMA"]
    return (national or authorities or [None])[0]


def _amendment(study: Study, sites: list[StudySite], committees, *, today: dt.date, by) -> None:
    version = study.protocol_versions.filter(number=AMENDMENT_VERSION).first()
    if version is None or len(sites) < 4:
        return
    if version.status == ProtocolStatus.SUBMITTED:
        version = study_services.change_protocol_status(
            protocol_version=version,
            to=ProtocolStatus.APPROVED,
            on=today - 45 * DAY,
            by=by,
            reason="Amendment 1 signed off by the sponsor",
        )
    implementation = services.start_amendment(
        version, by, changes_consent=True, changes_schedule=True, note="Fourth dose level (120 mg)."
    )
    consent = subject_services.create_consent_version(
        study=study,
        protocol_version=version,
        label="1.1",
        language="en",
        effective_on=today - 30 * DAY,
        summary_of_changes="Dose level 4 (120 mg) described; new risks of the higher dose.",
        by=by,
    )
    approved, just_approved, waiting = sites[0], sites[1], sites[2]
    for site, submitted_days, approved_days in (
        (approved, 40, 25),
        (just_approved, 35, 8),
        (waiting, 15, None),
    ):
        _submit_amendment(
            site, version, committees[site.institution_id], today, submitted_days, approved_days, by
        )
    _implement_at(approved, implementation, consent, today=today, by=by)


def _submit_amendment(site, version, committee, today, submitted_days, approved_days, by) -> None:
    services.create_submission(
        study=site.study,
        study_site=site,
        ethics_committee=committee,
        kind="amendment",
        protocol_version=version,
        documents_included="Protocol v1.1 with tracked changes\nInformed consent form v1.1 (en)",
        submitted_on=today - submitted_days * DAY,
        outcome="approved" if approved_days else "",
        decided_on=today - approved_days * DAY if approved_days else None,
        by=by,
    )
    jurisdiction = country_rules.rules_for(site.institution.country)
    authority = _authority_for(site.institution.country)
    if jurisdiction and jurisdiction.amendment_requires_authority and authority:
        # Where the site's ethics committee has approved, the authority has authorised too (in the EU, the
        # UK and Canada the amendment is implemented only once it has).
        services.create_submission(
            study=site.study,
            study_site=site,
            authority=authority,
            kind="amendment",
            protocol_version=version,
            documents_included="Substantial modification: protocol v1.1",
            submitted_on=today - submitted_days * DAY,
            outcome="approved" if approved_days else "",
            decided_on=today - (approved_days + 2) * DAY if approved_days else None,
            by=by,
        )


def _implement_at(site, implementation, consent, *, today: dt.date, by) -> None:
    """The first site: new consent approved and the schedule applied; its participants are to re-consent.

    No re-consent is recorded in the demo: the portfolio's participants keep one consent each.
    """
    subject_services.record_consent_approval(
        consent_version=consent,
        study_site=site,
        approved_on=today - 22 * DAY,
        reference="EC amendment 1",
        by=by,
    )
    services.tick_amendment_item(
        implementation=implementation,
        study_site=site,
        item="schedule_applied",
        done_on=today - 20 * DAY,
        by=by,
    )


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders): this area's records for the demo people."""
    load_demo(today=demo.today, users=demo.users)
