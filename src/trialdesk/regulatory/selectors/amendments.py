"""Reads of the regulatory app about amendments: each site's implementation checklist, the participants
still to re-consent, the gating of a new version before ethics approval, visits done under it too early."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext

from trialdesk.core import extensions
from trialdesk.core.models import User
from trialdesk.documents.selectors import outstanding_site_documents
from trialdesk.people.retraining import protocol_retraining
from trialdesk.regulatory import country_rules
from trialdesk.regulatory.models import AmendmentImplementation, AmendmentTask, ManualItem, Submission
from trialdesk.regulatory.rules import authorisation, checklists, oversight
from trialdesk.regulatory.selectors.approvals import _covering, _covers, implementations_for
from trialdesk.sites import rules as site_rules
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study
from trialdesk.subjects import rules as subject_rules
from trialdesk.subjects.models import Consent, ConsentApproval, ConsentVersion, Participant
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit

# --- amendment implementation -----------------------------------------------------------------


def _amendment_submissions(protocol_version: ProtocolVersion):
    return Submission.objects.filter(
        study_id=protocol_version.study_id, kind="amendment", protocol_version=protocol_version
    )


def amendment_ethics_approved_on(study_site: StudySite, protocol_version: ProtocolVersion) -> date | None:
    """The date the site's ethics committee approved the amendment (or None)."""
    approved = [
        s.decided_on
        for s in _amendment_submissions(protocol_version).filter(
            ethics_committee__isnull=False, outcome__in=oversight.APPROVING_OUTCOMES
        )
        if _covers(s, study_site)
    ]
    return min(approved, default=None)


@dataclass(frozen=True)
class AuthorityStanding:
    """The authority's side of an amendment at a site under its country's law."""

    law: authorisation.AmendmentLaw | None
    authorised: authorisation.Authorisation | None

    @property
    def needed(self) -> bool:
        return self.law is not None and self.law.needs == authorisation.AUTHORISATION

    @property
    def authorised_on(self) -> date | None:
        return self.authorised.on if self.authorised else None

    @property
    def detail(self) -> str:
        if self.authorised is None:
            return ""
        return self.authorised.detail + (
            "" if self.law.verified else gettext(" — rule not verified against its source")
        )

    @property
    def citation(self) -> str:
        if self.law is None:
            return ""
        return self.law.citation + ("" if self.law.verified else gettext(", unverified"))


def authority_standing(site: StudySite, to_authority: list[Submission], *, today: date) -> AuthorityStanding:
    """What the site's country asks of its authority for an amendment submitted there (the law in force on
    the submission date, else today), and where the authority's authorisation stands."""
    jurisdiction = country_rules.rules_for(site.institution.country)
    submitted = min((s.submitted_on for s in to_authority), default=None)
    law = jurisdiction.amendment_law(submitted or today) if jurisdiction else None
    if law is None or law.needs != authorisation.AUTHORISATION:
        return AuthorityStanding(law, None)
    decisions = [
        authorisation.AuthorityDecision(s.submitted_on, s.outcome, s.decided_on) for s in to_authority
    ]
    return AuthorityStanding(law, authorisation.authority_authorisation(law, decisions, today=today))


def amendment_use_problem(
    study_site: StudySite, protocol_version: ProtocolVersion, *, on: date, what: str
) -> str | None:
    """Why the site may not use the amendment's `what` (its consent version, its schedule) on `on`, or
    None: its ethics approval and, where the law asks for it, the authority's authorisation first."""
    covering = [s for s in _amendment_submissions(protocol_version) if _covers(s, study_site)]
    ethics = [s.decided_on for s in covering if s.ethics_committee_id and s.is_approval]
    standing = authority_standing(
        study_site, [s for s in covering if s.authority_id], today=study_site.local_today()
    )
    return authorisation.use_problem(
        ethics_approved_on=min(ethics, default=None),
        authorisation_needed=standing.needed,
        authorised_on=standing.authorised_on,
        used_on=on,
        version=protocol_version.number,
        what=what,
        citation=standing.citation,
    )


def consent_version_block(study_site: StudySite, consent_version: ConsentVersion, on: date) -> str | None:
    """Why the site may not start using a consent version on `on` (before its ethics approval of the
    amendment the version belongs to, or before the authority's authorisation where the law of the site's
    country asks for one), or None. Only amendments being implemented in Trialdesk gate."""
    version = consent_version.protocol_version
    if not AmendmentImplementation.objects.filter(protocol_version=version).exists():
        return None
    return amendment_use_problem(study_site, version, on=on, what=gettext("its consent version"))


def affected_sites(study: Study):
    """The sites an amendment is rolled out to: every site still taking part."""
    return (
        StudySite.objects.filter(study=study)
        .exclude(status__in=site_rules.FINAL_STATUSES)
        .select_related("institution")
        .order_by("site_number")
    )


def reconsent_pending(protocol_version: ProtocolVersion, site_ids) -> dict[int, list[str]]:
    """Per site, the active participants whose latest consent is on a consent version of an earlier
    protocol version than `protocol_version`: they re-consent on the amendment's consent form.

    The same people as the subjects app's re-consent worklist once the new version is in use at the site,
    and already known before (so the count is there while the site waits for approval). One query.
    """
    latest = Consent.objects.filter(participant=OuterRef("pk")).order_by("-signed_at", "-id")
    rows = (
        Participant.objects.filter(
            study_id=protocol_version.study_id,
            study_site_id__in=site_ids,
            status__in=subject_rules.ACTIVE_STATUSES,
        )
        .annotate(
            signed_on_date=Subquery(latest.values("consent_version__protocol_version__version_date")[:1])
        )
        .filter(signed_on_date__lt=protocol_version.version_date)
        .order_by("number")
        .values_list("study_site_id", "number")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for site_id, number in rows:
        found[site_id].append(number)
    return found


@dataclass
class SiteAmendmentStatus:
    """How far one site has got with one amendment."""

    site: StudySite
    items: list[checklists.ChecklistItem]
    reconsent_pending: list[str]
    training_gaps: list = field(default_factory=list)
    outstanding_documents: list[str] = field(default_factory=list)

    @property
    def progress(self) -> tuple[int, int]:
        return checklists.checklist_progress(self.items)

    @property
    def ethics_approved(self) -> bool:
        return any(i.item == "ec_approval" and i.state == checklists.DONE for i in self.items)

    def state_of(self, item: str) -> str:
        return next(i.state for i in self.items if i.item == item)


def amendment_status(
    implementation: AmendmentImplementation, sites: list[StudySite]
) -> list[SiteAmendmentStatus]:
    """Each site's checklist for the amendment, from the records, in a fixed number of queries."""
    version = implementation.protocol_version
    site_ids = [site.pk for site in sites]
    submissions = list(
        _amendment_submissions(version).filter(Q(study_site_id__in=site_ids) | Q(study_site=None))
    )
    by_site = _covering(submissions, sites)
    ticked = {
        (t.study_site_id, t.item): t.done_on
        for t in AmendmentTask.objects.filter(implementation=implementation, study_site_id__in=site_ids)
    }
    consent_versions = list(
        ConsentVersion.objects.filter(protocol_version=version).values_list("pk", flat=True)
    )
    consent_approved: dict[int, date] = {}
    for site_id, approved_on in ConsentApproval.objects.filter(
        consent_version_id__in=consent_versions, study_site_id__in=site_ids
    ).values_list("study_site_id", "approved_on"):
        consent_approved[site_id] = min(approved_on, consent_approved.get(site_id, approved_on))
    pending = reconsent_pending(version, site_ids) if implementation.changes_consent else {}
    retraining = protocol_retraining(site_ids, version)
    documents = outstanding_site_documents(site_ids, version)
    contributed = [(item, item.states(version, sites)) for item in extensions.amendment_checklist_items]
    found = []
    for site in sites:
        facts = _site_facts(
            site,
            by_site.get(site.pk, []),
            ticked,
            implementation,
            consent_versions,
            consent_approved,
            pending,
        )
        staff = retraining[site.pk]
        site_documents = list(documents.get(site.pk, []))
        facts = checklists.SiteAmendmentFacts(
            **facts,
            training_gaps=len(staff.untrained) if staff.known else None,
            outstanding_documents=len(site_documents),
        )
        items = checklists.amendment_checklist(facts)
        items.extend(_contributed_item(item, states.get(site.pk)) for item, states in contributed)
        found.append(
            SiteAmendmentStatus(
                site=site,
                items=items,
                reconsent_pending=pending.get(site.pk, []),
                training_gaps=list(staff.untrained),
                outstanding_documents=site_documents,
            )
        )
    return found


def _contributed_item(
    item: extensions.AmendmentItem, state: tuple[str, str] | None
) -> checklists.ChecklistItem:
    """An item another app adds (core.extensions.amendment_checklist_items) at one site."""
    if state is None:
        return checklists.ChecklistItem(item.key, checklists.NOT_REQUIRED, "no change", title=item.label)
    return checklists.ChecklistItem(item.key, state[0], state[1], title=item.label)


def _site_facts(
    site, submissions, ticked, implementation, consent_versions, consent_approved, pending
) -> dict:
    to_committee = [s for s in submissions if s.ethics_committee_id]
    to_authority = [s for s in submissions if s.authority_id]
    found = country_rules.rules_for(site.institution.country)
    standing = authority_standing(site, to_authority, today=site.local_today())
    return dict(
        ec_submitted_on=_earliest(
            [s.submitted_on for s in to_committee], ticked.get((site.pk, ManualItem.EC_SUBMITTED))
        ),
        authority_required=bool(found and found.amendment_requires_authority) or standing.needed,
        authority_submitted_on=_earliest(
            [s.submitted_on for s in to_authority], ticked.get((site.pk, ManualItem.AUTHORITY_SUBMITTED))
        ),
        authorisation_required=standing.needed,
        authorised_on=standing.authorised_on,
        authority_detail=standing.detail,
        ec_approved_on=min((s.decided_on for s in to_committee if s.is_approval), default=None),
        changes_consent=implementation.changes_consent,
        consent_version_exists=bool(consent_versions),
        consent_approved_on=consent_approved.get(site.pk),
        reconsent_pending=len(pending.get(site.pk, [])),
        changes_schedule=implementation.changes_schedule,
        schedule_applied_on=ticked.get((site.pk, ManualItem.SCHEDULE_APPLIED)),
    )


def _earliest(dates: list[date], ticked: date | None) -> date | None:
    return min([d for d in [*dates, ticked] if d is not None], default=None)


@dataclass
class AmendmentOverview:
    """One amendment and every site's progress with it; answers "which sites lack ethics approval for
    amendment N, and which participants still need re-consent"."""

    implementation: AmendmentImplementation
    sites: list[SiteAmendmentStatus]
    visits_before_approval: list = field(default_factory=list)

    @property
    def sites_without_approval(self) -> list[StudySite]:
        return [s.site for s in self.sites if not s.ethics_approved]

    @property
    def reconsent_count(self) -> int:
        return sum(len(s.reconsent_pending) for s in self.sites)


def amendments_overview(user: User, study: Study) -> list[AmendmentOverview]:
    """The study's amendments being implemented, each with the sites the user may see."""
    visible = {s.pk for s in StudySite.objects.visible_to(user).filter(study=study)}
    sites = [s for s in affected_sites(study) if s.pk in visible]
    return [
        AmendmentOverview(
            implementation,
            amendment_status(implementation, sites),
            visits_before_approval(implementation, sites),
        )
        for implementation in implementations_for(user, study).order_by("-started_on", "-id")
    ]


def amendment_status_report(*, study_code: str | None = None, version: str | None = None) -> dict:
    """The `trialdesk regulatory amendment-status --json` report (whole installation: a command-line tool)."""
    implementations = AmendmentImplementation.objects.select_related("study", "protocol_version").order_by(
        "study__code", "started_on", "id"
    )
    if study_code:
        implementations = implementations.filter(study__code=study_code)
    if version:
        implementations = implementations.filter(protocol_version__number=version)
    studies = []
    for implementation in implementations:
        sites = list(affected_sites(implementation.study))
        studies.append(
            {
                "study": implementation.study.code,
                "version": implementation.protocol_version.number,
                "sites": [
                    {
                        "site": status.site.site_number,
                        "items": [{"item": i.item, "state": i.state} for i in status.items],
                        "reconsent_pending": status.reconsent_pending,
                    }
                    for status in amendment_status(implementation, sites)
                ],
            }
        )
    return {"studies": studies}


# --- a participant seen under a version the site's committee had not approved -----------------


@dataclass(frozen=True)
class UnapprovedVisit:
    """A visit done under the amendment's schedule before the site's ethics approval of it."""

    visit: ScheduledVisit
    site: StudySite
    ethics_approved_on: date | None

    @property
    def description(self) -> str:
        approval = self.ethics_approved_on.isoformat() if self.ethics_approved_on else "not recorded"
        return (
            f"{UNAPPROVED_VISIT_MARK} {self.visit.definition.code} done on {self.visit.done_on.isoformat()} "
            f"under protocol v{self.visit.definition.protocol_version.number} before the site's ethics "
            f"approval of it (approval: {approval})."
        )


UNAPPROVED_VISIT_MARK = "Visit"


def visits_before_approval(
    implementation: AmendmentImplementation, sites: list[StudySite]
) -> list[UnapprovedVisit]:
    """Visits done under the amendment's schedule at a site before its ethics approval of the amendment,
    that no deviation records yet (matched by participant, date and description)."""
    version = implementation.protocol_version
    by_site = {site.pk: site for site in sites}
    approvals = _covering(
        list(
            _amendment_submissions(version).filter(
                ethics_committee__isnull=False, outcome__in=oversight.APPROVING_OUTCOMES
            )
        ),
        sites,
    )
    approved_on = {site_id: min(s.decided_on for s in found) for site_id, found in approvals.items()}
    done = ScheduledVisit.objects.filter(
        definition__protocol_version=version,
        status="done",
        participant__study_site_id__in=list(by_site),
    ).select_related("definition__protocol_version", "participant")
    recorded = set(
        ProtocolDeviation.objects.filter(
            study_id=implementation.study_id, description__startswith=UNAPPROVED_VISIT_MARK
        ).values_list("participant_id", "occurred_on", "description")
    )
    found = []
    for visit in done:
        site_id = visit.participant.study_site_id
        approval = approved_on.get(site_id)
        if approval is not None and visit.done_on >= approval:
            continue
        item = UnapprovedVisit(visit=visit, site=by_site[site_id], ethics_approved_on=approval)
        if (visit.participant_id, visit.done_on, item.description) not in recorded:
            found.append(item)
    return found
