"""Reads of the regulatory app: committees, submissions, ethics approvals in force, enrollment blocks and
site activation checklists."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_noop

from trialdesk.core.models import User
from trialdesk.core.scoping import scope_filter
from trialdesk.regulatory import country_rules
from trialdesk.regulatory.models import (
    AmendmentImplementation,
    EthicsCommittee,
    RegulatoryAuthority,
    Submission,
)
from trialdesk.regulatory.rules import checklists, oversight, review
from trialdesk.sites import rules as site_rules
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.models import ConsentApproval


def committees_for(user: User):
    return EthicsCommittee.objects.visible_to(user)


def authorities():
    """The regulatory authorities (reference data: the data migration loads them, and after a wipe
    `services.load_shipped_authorities` does)."""
    return RegulatoryAuthority.objects.all()


def submissions_for(user: User, study: Study):
    return (
        Submission.objects.visible_to(user)
        .filter(study=study)
        .select_related("study_site", "ethics_committee", "authority", "protocol_version")
    )


def implementations_for(user: User, study: Study | None = None):
    found = AmendmentImplementation.objects.visible_to(user).select_related("protocol_version", "study")
    return found.filter(study=study) if study is not None else found


def _covers(submission: Submission, site: StudySite) -> bool:
    """Whether a submission applies to a site: its own, its country's, or the whole study's."""
    if submission.study_site_id is not None:
        return submission.study_site_id == site.pk
    return submission.study_id == site.study_id and submission.country in ("", site.institution.country)


def _covering(submissions, sites) -> dict[int, list[Submission]]:
    """For each site, the submissions that apply to it (see _covers), without comparing every pair."""
    own: dict[int, list[Submission]] = defaultdict(list)
    shared: dict[tuple[int, str], list[Submission]] = defaultdict(list)
    for submission in submissions:
        if submission.study_site_id is not None:
            own[submission.study_site_id].append(submission)
        else:
            shared[(submission.study_id, submission.country)].append(submission)
    by_site: dict[int, list[Submission]] = {}
    for site in sites:
        found = [
            *own.get(site.pk, ()),
            *shared.get((site.study_id, ""), ()),
            *shared.get((site.study_id, site.institution.country), ()),
        ]
        if found:
            by_site[site.pk] = found
    return by_site


# --- ethics approval in force -----------------------------------------------------------------


def _approving_ethics_submissions(study_ids):
    return Submission.objects.filter(
        study_id__in=study_ids,
        ethics_committee__isnull=False,
        kind__in=oversight.APPROVAL_KINDS,
        outcome__in=oversight.APPROVING_OUTCOMES,
    ).select_related("ethics_committee")


def ethics_approvals_at(sites: list[StudySite]) -> dict[int, list[oversight.EthicsApproval]]:
    """Each site's ethics approvals (initial and continuing review), with the last day each runs to."""
    approvals = _approving_ethics_submissions({site.study_id for site in sites})
    found: dict[int, list[oversight.EthicsApproval]] = {site.pk: [] for site in sites}
    for site_id, covering in _covering(approvals, sites).items():
        found[site_id] = [_approval(s) for s in covering]
    return found


def _approval(submission: Submission) -> oversight.EthicsApproval:
    """The approval as the rules see it: how long it runs under the law of its committee's country on
    the day it was given (review.approval_term), with the committee's decision and period."""
    committee = submission.ethics_committee
    jurisdiction = country_rules.rules_for(committee.country)
    term = review.approval_term(
        approved_on=submission.decided_on,
        expires_on=submission.expires_on,
        committee_months=committee.continuing_review_months,
        law=jurisdiction.review_law(submission.decided_on) if jurisdiction else None,
        exemption=submission.continuing_review_exemption,
    )
    return oversight.EthicsApproval(
        approved_on=submission.decided_on,
        valid_until=term.valid_until,
        basis=term.basis,
        citation=term.citation,
        verified=term.verified,
    )


def sites_with_approvals_ending(study_ids, *, by: date) -> Q | None:
    """A filter of the study sites covered by an ethics approval of these studies that runs out by `by`
    (one query), or None when there is none: an approval in force can lapse by then only at these sites,
    so a list of approvals to renew reads these sites alone, not every open site of a portfolio."""
    own, whole, by_country = set(), set(), defaultdict(set)
    for submission in _approving_ethics_submissions(study_ids):
        valid_until = _approval(submission).valid_until
        if valid_until is None or valid_until > by:
            continue
        if submission.study_site_id is not None:
            own.add(submission.study_site_id)
        elif submission.country:
            by_country[submission.country].add(submission.study_id)
        else:
            whole.add(submission.study_id)
    if not (own or whole or by_country):
        return None
    covered = Q(pk__in=own) | Q(study_id__in=whole)
    for country, studies in by_country.items():
        covered |= Q(study_id__in=studies, institution__country=country)
    return covered


def enrollment_block(study_site: StudySite, on: date) -> str | None:
    """The reason enrollment is refused at the site on that day (lapsed ethics approval), or None."""
    approvals = ethics_approvals_at([study_site])[study_site.pk]
    return oversight.enrollment_block_reason(approvals, on=on)


@dataclass(frozen=True)
class SiteApproval:
    """A site's ethics approval standing for the Regulatory tab: in force until when, and the countdown."""

    site: StudySite
    approval: oversight.EthicsApproval | None
    days_left: int | None
    countdown: str
    block: str | None
    # The next periodic report the committee's country asks for; never an expiry (e.g. Brazil's partial
    # report to the CEP every six months).
    report_due: date | None = None
    report_law: review.ReportLaw | None = None


def approval_board(user: User, study: Study) -> list[SiteApproval]:
    """Each site of the study the user may see with its ethics approval in force and the countdown."""
    sites = StudySite.objects.visible_to(user).filter(study=study).select_related("institution")
    return approval_board_for_sites(list(sites.order_by("site_number")))


def approval_board_for_sites(sites: list[StudySite]) -> list[SiteApproval]:
    approvals = ethics_approvals_at(sites)
    board = []
    for site in sites:
        today = site.local_today()
        current = oversight.approval_in_force(approvals[site.pk], on=today)
        left = oversight.days_left(due_on=current.valid_until, today=today) if current else None
        jurisdiction = country_rules.rules_for(site.institution.country)
        report_law = jurisdiction.report_law(today) if jurisdiction and current else None
        board.append(
            SiteApproval(
                site=site,
                approval=current,
                days_left=left,
                countdown=oversight.countdown(left) if current else gettext_noop("no approval recorded"),
                block=oversight.enrollment_block_reason(approvals[site.pk], on=today),
                report_due=review.next_report_due(
                    approved_on=current.approved_on, law=report_law, today=today
                )
                if report_law
                else None,
                report_law=report_law,
            )
        )
    return board


# --- site activation checklist ----------------------------------------------------------------


def activation_checklist(study_site: StudySite) -> list[checklists.ActivationItem]:
    """What the site needs before activation, from the study's needs and its country's rules."""
    return activation_checklists([study_site])[study_site.pk]


def activation_checklists(sites: list[StudySite]) -> dict[int, list[checklists.ActivationItem]]:
    """Each site's activation checklist, in two queries whatever the number of sites."""
    initial = Submission.objects.filter(
        study_id__in={site.study_id for site in sites},
        kind="initial",
        outcome__in=[*oversight.APPROVING_OUTCOMES, oversight.ACKNOWLEDGED],
    )
    covering = _covering(list(initial), sites)
    with_consent = set(
        ConsentApproval.objects.filter(study_site__in=sites).values_list("study_site_id", flat=True)
    )
    found = {}
    for site in sites:
        country = site.institution.country
        jurisdiction = country_rules.rules_for(country)
        submissions = covering.get(site.pk, [])
        ethics = [s.decided_on for s in submissions if s.ethics_committee_id and s.is_approval]
        authority = [s.decided_on for s in submissions if s.authority_id]
        found[site.pk] = checklists.activation_checklist(
            country_submissions=jurisdiction.get("activation_submissions", []) if jurisdiction else [],
            country_name=site_rules.country_name(country),
            ethics_approved_on=min(ethics, default=None),
            authority_approved_on=min(authority, default=None),
            consent_approved=site.pk in with_consent,
            principal_investigator=site.principal_investigator,
        )
    return found


def sites_with_participants_visible(user: User, study: Study) -> set[int]:
    """The study's sites whose participant numbers the user may see (sponsor viewers see none)."""
    visible = StudySite.objects.filter(study=study).filter(
        scope_filter(user, study_path="study", site_path="pk", subject_level=True)
    )
    return set(visible.values_list("pk", flat=True))
