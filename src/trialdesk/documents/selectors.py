"""Reads of the essential documents: expected lists with their state, completeness, documents on file.

User-facing reads start from what the user may see; `outstanding_site_documents` is the contract the
regulatory app's amendment checklists call with site ids they have already scoped.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from trialdesk.core.models import AuditEvent, RoleAssignment, User
from trialdesk.core.roles import SITE_STAFF_ROLES
from trialdesk.documents.models import Document, DocumentVersion, TmfProfile
from trialdesk.documents.rules import expectations, filing
from trialdesk.sites.models import SiteStatus, StudySite
from trialdesk.studies.models import MilestoneKind, ProtocolStatus, ProtocolVersion, Study, StudyStatus

# Protocol versions a trial master file must cover: approved ones, in effect now or earlier.
APPROVED_STATUSES = (ProtocolStatus.APPROVED, ProtocolStatus.EFFECTIVE, ProtocolStatus.SUPERSEDED)
CLOSED_SITE_STATUSES = frozenset({SiteStatus.CLOSED, SiteStatus.TERMINATED})
CLOSED_STUDY_STATUSES = frozenset({StudyStatus.COMPLETED, StudyStatus.TERMINATED})


# Facts for the rules ----------------------------------------------------------------------------------


def tmf_profile_of(study: Study) -> TmfProfile:
    """The study's TMF profile, or the defaults (not saved) when nobody has set one."""
    profile = TmfProfile.objects.filter(study=study).first()
    return profile or TmfProfile(study=study)


def protocol_facts(version: ProtocolVersion) -> expectations.ProtocolFacts:
    return expectations.ProtocolFacts(
        number=version.number,
        amendment=version.is_amendment,
        in_effect_from=version.effective_on or version.approved_on,
    )


def study_facts(study: Study, profile: TmfProfile | None = None) -> expectations.StudyFacts:
    profile = profile or tmf_profile_of(study)
    versions = ProtocolVersion.objects.filter(study=study, status__in=APPROVED_STATUSES)
    ordered = sorted(versions, key=lambda v: (v.effective_on or v.approved_on or v.version_date, v.pk))
    report_done = study.milestones.filter(
        kind=MilestoneKind.CLINICAL_STUDY_REPORT, study_site__isnull=True, actual_on__isnull=False
    ).exists()
    return expectations.StudyFacts(
        phase=study.phase,
        protocol_versions=tuple(protocol_facts(v) for v in ordered),
        us_ind=profile.us_ind,
        local_laboratories=profile.local_laboratories,
        closed_out=report_done or study.status in CLOSED_STUDY_STATUSES,
    )


@dataclass(frozen=True)
class SiteRow:
    """The few columns of a study site the expected list needs (read without building model objects)."""

    pk: int
    study_id: int
    site_number: str
    country: str
    time_zone: str
    activated_on: dt.date | None
    status: str


def site_rows(sites: QuerySet[StudySite]) -> list[SiteRow]:
    columns = ("pk", "study_id", "site_number", "institution__country", "institution__time_zone")
    return [SiteRow(*row) for row in sites.values_list(*columns, "activated_on", "status")]


def site_facts(sites: list[SiteRow]) -> list[expectations.SiteFacts]:
    """Facts of each site, its staff (coordinators and investigators) included, in one query."""
    staff: dict[int, list[expectations.StaffFacts]] = defaultdict(list)
    assignments = (
        RoleAssignment.objects.filter(study_site__in=[s.pk for s in sites], role__in=SITE_STAFF_ROLES)
        .order_by("study_site_id", "role", "user__last_name", "user__username")
        .values_list(
            "study_site_id", "role", "user_id", "user__first_name", "user__last_name", "user__username"
        )
    )
    for site_id, role, user_id, first_name, last_name, username in assignments:
        name = f"{first_name} {last_name}".strip() or username
        staff[site_id].append(expectations.StaffFacts(user_id=user_id, name=name, role=role))
    return [
        expectations.SiteFacts(
            study_site_id=site.pk,
            site_number=site.site_number,
            country=site.country,
            activated_on=site.activated_on,
            closed=site.status in CLOSED_SITE_STATUSES,
            staff=tuple(staff[site.pk]),
        )
        for site in sites
    ]


# Expected documents and their state ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedState:
    """An expected document with what is on file for it."""

    expected: expectations.Expected
    state: str
    document_id: int | None = None
    expires_on: dt.date | None = None
    site_number: str = ""

    @property
    def title(self) -> str:
        return self.expected.title


@dataclass(frozen=True)
class FiledSlot:
    document_id: int
    expires_on: dt.date | None


def filed_slots(study_ids: Iterable[int], study_site_ids: Iterable[int] | None = None) -> dict[tuple, list]:
    """Documents on file with their current version's expiry, by the slot they fill (two flat queries)."""
    documents = Document.objects.filter(study_id__in=list(study_ids))
    if study_site_ids is not None:
        documents = documents.filter(study_site_id__in=list(study_site_ids))
    current: dict[int, dt.date | None] = {}
    # Ascending version numbers: the last one seen for a document is its current version.
    versions = DocumentVersion.objects.filter(document__in=documents).order_by("document_id", "number")
    for document_id, expires_on in versions.values_list("document_id", "expires_on"):
        current[document_id] = expires_on
    slots: dict[tuple, list] = defaultdict(list)
    columns = ("pk", "level", "artifact_number", "country", "study_site_id", "protocol_version__number")
    for pk, level, artifact, country, site_id, version, person_id in documents.values_list(
        *columns, "person_id"
    ):
        if pk not in current:
            continue
        key = expectations.slot_key(
            level=level,
            artifact_number=artifact,
            country=country,
            study_site_id=site_id,
            protocol_version=version or "",
            person_id=person_id,
        )
        slots[key].append(FiledSlot(pk, current[pk]))
    return slots


_STATE_RANK = {filing.PRESENT: 0, filing.EXPIRING: 1, filing.EXPIRED: 2, filing.MISSING: 3}


def match(
    expected: Iterable[expectations.Expected],
    slots: dict[tuple, list],
    *,
    today_at: dict[int | None, dt.date],
    warning_days: int,
    site_numbers: dict[int, str] | None = None,
) -> list[ExpectedState]:
    """Each expected document with the best state among the documents filed for it."""
    site_numbers = site_numbers or {}
    found = []
    for item in expected:
        today = today_at.get(item.study_site_id) or today_at[None]
        best = ExpectedState(item, filing.MISSING, site_number=site_numbers.get(item.study_site_id, ""))
        for slot in slots.get(item.key, ()):
            state = filing.expiry_state(slot.expires_on, today=today, warning_days=warning_days)
            if _STATE_RANK[state] < _STATE_RANK[best.state]:
                best = ExpectedState(item, state, slot.document_id, slot.expires_on, best.site_number)
        found.append(best)
    return found


def local_todays(sites: Iterable[SiteRow]) -> dict[int | None, dt.date]:
    """Today in each site's time zone (None: UTC, for trial and country documents)."""
    now = timezone.now()
    todays: dict[int | None, dt.date] = {None: now.date()}
    zones: dict[str, dt.date] = {}
    for site in sites:
        zone = site.time_zone
        if zone not in zones:
            zones[zone] = now.astimezone(ZoneInfo(zone)).date()
        todays[site.pk] = zones[zone]
    return todays


def sites_for(user: User, study: Study) -> QuerySet[StudySite]:
    return StudySite.objects.visible_to(user).filter(study=study).select_related("institution")


def expected_documents_for(
    user: User,
    study: Study,
    *,
    study_site: StudySite | None = None,
    level: str = "",
    state: str = "",
    within_days: int | None = None,
) -> list[ExpectedState]:
    """The study's expected documents the user may see, with their state; narrowed to one site or level.

    Site staff see the trial and country documents and those of their own sites. A document expiring
    within `within_days` (default: the study's TMF profile) counts as expiring.
    """
    visible = sites_for(user, study)
    if study_site is not None:
        visible = visible.filter(pk=study_site.pk)
    sites = site_rows(visible)
    profile = tmf_profile_of(study)
    expected = expectations.expected_documents(study_facts(study, profile), site_facts(sites))
    if study_site is not None:
        # The site's own documents, with the trial's and its country's (not other countries').
        expected = [
            e for e in expected if e.level != expectations.COUNTRY or e.country in {s.country for s in sites}
        ]
    if level:
        expected = [e for e in expected if e.level == level]
    states = match(
        expected,
        filed_slots([study.pk], None),
        today_at=local_todays(sites),
        warning_days=profile.expiry_warning_days if within_days is None else within_days,
        site_numbers={s.pk: s.site_number for s in sites},
    )
    if state:
        states = [s for s in states if s.state == state]
    return states


@dataclass(frozen=True)
class Completeness:
    """How much of an expected list is on file and in date."""

    label: str
    level: str
    on_file: int
    expected: int
    missing: int
    expiring: int
    expired: int
    study_site_id: int | None = None
    # The label's parts, for a page that draws it in the reader's language.
    country: str = ""
    site_number: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.on_file / self.expected) if self.expected else 100


def completeness(states: list[ExpectedState]) -> list[Completeness]:
    """Completeness of the whole study, then of the trial level, each country and each site."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for item in states:
        e = item.expected
        groups[("study", "Whole study", None, "", "")].append(item.state)
        if e.level == expectations.TRIAL:
            groups[("trial", "Trial level", None, "", "")].append(item.state)
        elif e.level == expectations.COUNTRY:
            groups[("country", f"Country {e.country}", None, e.country, "")].append(item.state)
        else:
            label = f"Site {item.site_number} ({e.country})"
            groups[("site", label, e.study_site_id, e.country, item.site_number)].append(item.state)
    order = {"study": 0, "trial": 1, "country": 2, "site": 3}
    found = []
    for (level, label, site_id, country, site_number), group in sorted(
        groups.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
    ):
        on_file, expected = filing.completeness(group)
        found.append(
            Completeness(
                label=label,
                level=level,
                on_file=on_file,
                expected=expected,
                missing=group.count(filing.MISSING),
                expiring=group.count(filing.EXPIRING),
                expired=group.count(filing.EXPIRED),
                study_site_id=site_id,
                country=country,
                site_number=site_number,
            )
        )
    return found


# Documents on file -------------------------------------------------------------------------------------


def documents_for(user: User, study: Study | None = None) -> QuerySet[Document]:
    documents = Document.objects.visible_to(user).select_related("study_site", "protocol_version", "person")
    if study is not None:
        documents = documents.filter(study=study)
    return documents


def versions_for(user: User) -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.visible_to(user).select_related("document", "uploaded_by")


def document_trail(user: User, document: Document) -> QuerySet[AuditEvent]:
    """The audit events of a document and its versions (filing, corrections, downloads), newest first."""
    version_ids = [str(pk) for pk in document.versions.values_list("pk", flat=True)]
    return (
        AuditEvent.objects.visible_to(user)
        .filter(
            Q(object_type="documents.document", object_id=str(document.pk))
            | Q(object_type="documents.documentversion", object_id__in=version_ids)
        )
        .order_by("-id")
    )


# The contract the regulatory app relies on -------------------------------------------------------------


def outstanding_site_documents(study_site_ids, protocol_version) -> dict[int, list[str]]:
    """Per study site id, the names of the site-level essential documents for `protocol_version` that
    are missing or expired (e.g. "Ethics approval (protocol v3.0)", "Protocol signature page (v3.0)").

    `protocol_version` is a ProtocolVersion or its number ("3.0"); a number is looked up in each site's
    study. Not scoped: callers pass the site ids they have already scoped. Every site id asked about is
    in the answer (with an empty list when nothing is outstanding).
    """
    sites = site_rows(StudySite.objects.filter(pk__in=list(study_site_ids)))
    answer: dict[int, list[str]] = {site.pk: [] for site in sites}
    by_study: dict[int, list[SiteRow]] = defaultdict(list)
    for site in sites:
        by_study[site.study_id].append(site)
    for study in Study.objects.filter(pk__in=list(by_study)):
        study_sites = by_study[study.pk]
        profile = tmf_profile_of(study)
        version = _version_facts(study, protocol_version)
        expected = expectations.expected_documents(
            study_facts(study, profile),
            site_facts(study_sites),
            versions_override=(version,),
            levels=(expectations.SITE,),
        )
        states = match(
            expected,
            filed_slots([study.pk], [s.pk for s in study_sites]),
            today_at=local_todays(study_sites),
            warning_days=profile.expiry_warning_days,
        )
        for item in states:
            if item.state in (filing.MISSING, filing.EXPIRED):
                answer[item.expected.study_site_id].append(item.title)
    return answer


def _version_facts(study: Study, protocol_version) -> expectations.ProtocolFacts:
    if isinstance(protocol_version, ProtocolVersion):
        return protocol_facts(protocol_version)
    number = str(protocol_version).strip().removeprefix("v")
    found = ProtocolVersion.objects.filter(study=study, number=number).first()
    if found is not None:
        return protocol_facts(found)
    first = not ProtocolVersion.objects.filter(study=study).exists()
    return expectations.ProtocolFacts(number=number, amendment=not first, in_effect_from=None)
