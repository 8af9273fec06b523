"""Writes of the regulatory app: committees, submissions and decisions, amendment implementation."""

import datetime as dt
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_institutions, can_manage_study, can_work_at_site, require
from trialdesk.regulatory import country_rules, selectors
from trialdesk.regulatory.models import (
    AmendmentImplementation,
    AmendmentTask,
    EthicsCommittee,
    ManualItem,
    RegulatoryAuthority,
    Submission,
)
from trialdesk.regulatory.rules import oversight
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolStatus, ProtocolVersion, Study
from trialdesk.visits import services as visit_services

COMMITTEE_FIELDS = (
    "name",
    "country",
    "committee_type",
    "continuing_review_months",
    "safety_report_days",
    "deviation_report_days",
    "wants_annual_progress_report",
    "reporting_policy",
    "contact_email",
)
SUBMISSION_FIELDS = (
    "study_site",
    "country",
    "ethics_committee",
    "authority",
    "kind",
    "protocol_version",
    "reference",
    "documents_included",
    "submitted_on",
    "outcome",
    "decided_on",
    "expires_on",
    "conditions",
    "regulated_by",
    "continuing_review_exemption",
)
DECISION_FIELDS = (
    "outcome",
    "decided_on",
    "expires_on",
    "conditions",
    "reference",
    "regulated_by",
    "continuing_review_exemption",
)
ONLY_DIRECTORY_KEEPERS = "Only administrators and CRMs keep the ethics committee directory."
ONLY_SUBMITTERS = "Only the study's CRM, an administrator or the site's staff record its submissions."
ONLY_STUDY_MANAGERS = "Only the study's CRM or an administrator starts an amendment's implementation."
ONLY_SITE_WORKERS = "Only the study's CRM, an administrator or the site's staff tick its checklist."


def utc_today() -> date:
    return timezone.now().astimezone(dt.UTC).date()


# --- reference data ---------------------------------------------------------------------------


@transaction.atomic
def load_shipped_authorities() -> int:
    """Create or update the regulatory authorities from regulatory/countries/authorities.json; returns
    how many the file holds. Reference data, not trial data, so not audited. The data migration loads
    them; `trialdesk demo --reset` wipes every table, so the regulatory demo loader calls this again."""
    return country_rules.load_authorities(RegulatoryAuthority)


# --- committees -------------------------------------------------------------------------------


def create_committee(*, by: User, reason: str = "", **values) -> EthicsCommittee:
    require(can_manage_institutions(by), ONLY_DIRECTORY_KEEPERS)
    committee = EthicsCommittee(**records.only_fields(values, COMMITTEE_FIELDS))
    return records.create_record(committee, by=by, reason=reason)


def update_committee(
    *, committee: EthicsCommittee, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> EthicsCommittee:
    require(can_manage_institutions(by), ONLY_DIRECTORY_KEEPERS)
    return records.update_record(
        committee,
        changes=records.only_fields(changes, COMMITTEE_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


# --- submissions ------------------------------------------------------------------------------


def may_record_submission(user: User, *, study_id: int, study_site: StudySite | None) -> bool:
    if study_site is None:
        return can_manage_study(user, study_id)
    return can_work_at_site(user, study_id=study_id, study_site_id=study_site.pk)


def _check_dates(submission: Submission) -> None:
    """Refuse dates in the future of the place the submission concerns (the site's today, else UTC's)."""
    site = submission.study_site
    today = site.local_today() if site is not None else utc_today()
    problems = dict(
        oversight.submission_problems(
            kind=submission.kind,
            to_committee=submission.ethics_committee_id is not None,
            to_authority=submission.authority_id is not None,
            has_protocol_version=submission.protocol_version_id is not None,
            submitted_on=submission.submitted_on,
            outcome=submission.outcome,
            decided_on=submission.decided_on,
            expires_on=submission.expires_on,
            today=today,
        )
    )
    future = {k: v for k, v in problems.items() if "future" in v}
    if future:
        raise ValidationError(future)


@transaction.atomic
def create_submission(*, study: Study, by: User, reason: str = "", **values) -> Submission:
    """Record a submission (and, when already known, its decision) for the study, a country or a site."""
    values = records.only_fields(values, SUBMISSION_FIELDS)
    require(
        may_record_submission(by, study_id=study.pk, study_site=values.get("study_site")), ONLY_SUBMITTERS
    )
    if values.get("study_site") is not None and not values.get("country"):
        values["country"] = values["study_site"].institution.country
    submission = Submission(study=study, **values)
    _check_dates(submission)
    return records.create_record(submission, by=by, reason=reason)


@transaction.atomic
def update_submission(
    *, submission: Submission, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> Submission:
    require(
        may_record_submission(by, study_id=submission.study_id, study_site=submission.study_site),
        ONLY_SUBMITTERS,
    )
    changes = records.only_fields(changes, SUBMISSION_FIELDS)
    if "study_site" in changes and changes["study_site"] is not None:
        require(
            may_record_submission(by, study_id=submission.study_id, study_site=changes["study_site"]),
            ONLY_SUBMITTERS,
        )
    preview = Submission(**{**_values(submission), **changes})
    _check_dates(preview)
    return records.update_record(
        submission, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


def _values(submission: Submission) -> dict:
    return {f.attname: getattr(submission, f.attname) for f in Submission._meta.concrete_fields}


@transaction.atomic
def record_decision(
    *,
    submission: Submission,
    outcome: str,
    decided_on: date,
    by: User,
    reason: str,
    expires_on: date | None = None,
    conditions: str = "",
    reference: str | None = None,
    regulated_by: str | None = None,
    continuing_review_exemption: str | None = None,
    expected_version: int | None = None,
) -> Submission:
    """Record the committee's or authority's decision: outcome, its date, the approval's expiry, and for
    a US IRB the regulation it reviewed under and whether it waived continuing review (45 CFR 46.109(f))."""
    changes = {
        "outcome": outcome,
        "decided_on": decided_on,
        "expires_on": expires_on,
        "conditions": conditions,
    }
    optional = {
        "reference": reference,
        "regulated_by": regulated_by,
        "continuing_review_exemption": continuing_review_exemption,
    }
    changes.update({name: value for name, value in optional.items() if value is not None})
    require(
        may_record_submission(by, study_id=submission.study_id, study_site=submission.study_site),
        ONLY_SUBMITTERS,
    )
    preview = Submission(**{**_values(submission), **changes})
    _check_dates(preview)
    return records.update_record(
        submission,
        changes=changes,
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="decided",
    )


# --- amendments -------------------------------------------------------------------------------


@transaction.atomic
def start_amendment(
    protocol_version: ProtocolVersion,
    by: User,
    *,
    changes_consent: bool = True,
    changes_schedule: bool = False,
    note: str = "",
    reason: str = "",
) -> AmendmentImplementation:
    """Start implementing a sponsor-approved protocol version at the study's sites: from now on every
    site still taking part has an amendment checklist (derived from the records, see selectors)."""
    require(can_manage_study(by, protocol_version.study_id), ONLY_STUDY_MANAGERS)
    if protocol_version.status not in (ProtocolStatus.APPROVED, ProtocolStatus.EFFECTIVE):
        raise ValidationError(
            {
                "protocol_version": (
                    f"Protocol v{protocol_version.number} is {protocol_version.get_status_display().lower()}:"
                    " only a version the sponsor approved is implemented at sites."
                )
            }
        )
    if AmendmentImplementation.objects.filter(protocol_version=protocol_version).exists():
        raise ValidationError(
            {"protocol_version": f"Protocol v{protocol_version.number} is already being implemented."}
        )
    implementation = AmendmentImplementation(
        study_id=protocol_version.study_id,
        protocol_version=protocol_version,
        started_on=utc_today(),
        changes_consent=changes_consent,
        changes_schedule=changes_schedule,
        note=note,
    )
    return records.create_record(
        implementation,
        by=by,
        reason=reason or f"Implementation of protocol v{protocol_version.number} started.",
    )


@transaction.atomic
def tick_amendment_item(
    *,
    implementation: AmendmentImplementation,
    study_site: StudySite,
    item: str,
    done_on: date,
    by: User,
    note: str = "",
    reason: str = "",
) -> AmendmentTask:
    """Tick a manual checklist item at a site with the date it was done.

    The new visit schedule may not be applied before the site's ethics approval of the amendment, nor
    before the authority's authorisation where the law of the site's country asks for one.
    """
    require(
        can_work_at_site(by, study_id=implementation.study_id, study_site_id=study_site.pk), ONLY_SITE_WORKERS
    )
    if item not in ManualItem.values:
        raise ValidationError(
            {"item": f"{item!r} is not an item ticked by hand ({', '.join(ManualItem.values)})."}
        )
    if study_site.study_id != implementation.study_id:
        raise ValidationError({"study_site": "This site belongs to another study."})
    if item == ManualItem.SCHEDULE_APPLIED:
        if not implementation.changes_schedule:
            raise ValidationError({"item": "This amendment keeps the visit schedule."})
        problem = selectors.amendment_use_problem(
            study_site, implementation.protocol_version, on=done_on, what=gettext("its visit schedule")
        )
        if problem:
            raise ValidationError({"done_on": problem})
    task = AmendmentTask(
        study_id=implementation.study_id,
        implementation=implementation,
        study_site=study_site,
        item=item,
        done_on=done_on,
        note=note,
    )
    return records.create_record(task, by=by, reason=reason)


@transaction.atomic
def record_unapproved_version_deviations(*, implementation: AmendmentImplementation, by: User) -> list:
    """A participant seen under the amendment's schedule before the site's ethics approval of it is a
    protocol deviation: record one (important, procedure) for each such visit not yet recorded."""
    require(can_manage_study(by, implementation.study_id), ONLY_STUDY_MANAGERS)
    sites = list(selectors.affected_sites(implementation.study))
    recorded = []
    for item in selectors.visits_before_approval(implementation, sites):
        recorded.append(
            visit_services.create_deviation(
                study=implementation.study,
                study_site=item.site,
                participant=item.visit.participant,
                category="procedure",
                important=True,
                description=item.description,
                occurred_on=item.visit.done_on,
                identified_on=item.site.local_today(),
                by=by,
                reason="Seen under an amendment not yet approved by the site's ethics committee",
            )
        )
    return recorded
