"""The re-consent worklist: active participants whose latest consent is on a version their site replaced."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext

from trialdesk.core import extensions
from trialdesk.core.models import User
from trialdesk.sites.models import StudySite
from trialdesk.subjects import consent_law, rules
from trialdesk.subjects.models import Consent, ConsentApproval, ConsentVersion, Participant


def approved_versions_at(study_site: StudySite) -> list[rules.ApprovedVersion]:
    """The consent versions approved at a site, as the rules see them."""
    rows = ConsentApproval.objects.filter(study_site=study_site).values_list(
        "consent_version_id", "consent_version__language", "consent_version__effective_on", "approved_on"
    )
    return [rules.ApprovedVersion(*row) for row in rows]


def current_versions_at(study_site: StudySite, *, on: date) -> QuerySet[ConsentVersion]:
    """The consent versions a site uses on `on`, one per language."""
    current = rules.current_versions(approved_versions_at(study_site), on=on)
    return ConsentVersion.objects.filter(pk__in=[v.version_id for v in current.values()])


NEW_VERSION = "new consent version"


@dataclass(frozen=True)
class ReconsentItem:
    """A participant who must re-consent on a newly approved consent version, and by when."""

    participant: Participant
    consent_version: ConsentVersion  # the version newly approved at the participant's site
    approved_on: date
    due_on: date
    is_overdue: bool
    signed_version: ConsentVersion | None = None  # the version of the participant's latest consent
    # Why: a new version at the site, or the participant reaching the age of majority after a
    # representative consented for them as a minor (consent_law.majority_reconsent_due).
    why: str = NEW_VERSION


def _next_visits(waiting: list[tuple[Participant, date]]) -> dict[int, date | None]:
    """Each participant's next scheduled visit after the given date, one query per distinct date.

    Visits sit above participants in the layers, so the visits app registers how to find them
    (core.extensions.next_visit_dates); with several sources the earliest date counts.
    """
    by_date: dict[date, list[int]] = defaultdict(list)
    for participant, after in waiting:
        by_date[after].append(participant.pk)
    found: dict[int, date | None] = {}
    for source in extensions.next_visit_dates:
        for after, ids in by_date.items():
            for participant_id, next_on in source(ids, after=after).items():
                known = found.get(participant_id)
                found[participant_id] = min(d for d in (known, next_on) if d) if (known or next_on) else None
    return found


def _item(
    participant: Participant,
    *,
    new: rules.ApprovedVersion,
    versions: dict[int, ConsentVersion],
    signed_version_id: int,
    window_days: int,
    next_visit_on: date | None,
    on: date,
) -> ReconsentItem:
    due_on = rules.reconsent_due_on(
        in_use_from=new.in_use_from, window_days=window_days, next_visit_on=next_visit_on
    )
    return ReconsentItem(
        participant=participant,
        consent_version=versions[new.version_id],
        approved_on=new.approved_on,
        due_on=due_on,
        is_overdue=on > due_on,
        signed_version=versions.get(signed_version_id),
    )


def reconsent_due(participant: Participant, *, on: date) -> ReconsentItem | None:
    """The participant's pending re-consent on `on`, or None.

    Due when the participant is active and their latest consent is on an older version than the one
    their site now uses for that language; due by their next scheduled visit after the new version
    came into use, or within the study's re-consent window, whichever comes first.
    """
    if not participant.is_active:
        return None
    latest = participant.consents.select_related("consent_version").order_by("-signed_at", "-id").first()
    if latest is None:
        return None
    signed = latest.consent_version
    new = rules.current_versions(approved_versions_at(participant.study_site), on=on).get(signed.language)
    if new is None or new.version_id == signed.pk:
        return None
    next_visit_on = _next_visits([(participant, new.in_use_from)]).get(participant.pk)
    versions = {v.pk: v for v in ConsentVersion.objects.filter(pk__in=[new.version_id, signed.pk])}
    return _item(
        participant,
        new=new,
        versions=versions,
        signed_version_id=signed.pk,
        window_days=participant.study.reconsent_window_days,
        next_visit_on=next_visit_on,
        on=on,
    )


def reconsent_worklist(user: User, study) -> list[ReconsentItem]:
    """Every active participant the user may see who must re-consent, overdue first, then by due date.

    "Today" is each site's own. A constant number of queries, whatever the number of participants
    (plus the visits app's look-ups of next visits, see _next_visits).
    """
    sites = {
        s.pk: s for s in StudySite.objects.visible_to(user).filter(study=study).select_related("institution")
    }
    approved: dict[int, list[rules.ApprovedVersion]] = defaultdict(list)
    for row in ConsentApproval.objects.filter(study=study, study_site__in=list(sites)).values_list(
        "study_site_id",
        "consent_version_id",
        "consent_version__language",
        "consent_version__effective_on",
        "approved_on",
    ):
        approved[row[0]].append(rules.ApprovedVersion(*row[1:]))
    today = {site_id: site.local_today() for site_id, site in sites.items()}
    current = {site_id: rules.current_versions(approved[site_id], on=today[site_id]) for site_id in sites}
    versions = {v.pk: v for v in ConsentVersion.objects.filter(study=study)}
    latest_version = Consent.objects.filter(participant=OuterRef("pk")).order_by("-signed_at", "-id")
    participants = (
        Participant.objects.visible_to(user)
        .filter(study=study, status__in=rules.ACTIVE_STATUSES)
        .annotate(signed_version_id=Subquery(latest_version.values("consent_version_id")[:1]))
        .exclude(signed_version_id=None)
        # What the list shows; the rest loads on demand (thousands of rows: every field costs).
        .only("id", "number", "status", "study_id", "study_site_id")
    )
    waiting = []
    for participant in participants:
        signed = versions[participant.signed_version_id]
        new = current.get(participant.study_site_id, {}).get(signed.language)
        if new is not None and new.version_id != signed.pk:
            participant.study_site = sites[participant.study_site_id]  # the list shows its number
            waiting.append((participant, new))
    next_visits = _next_visits([(p, new.in_use_from) for p, new in waiting])
    items = [
        _item(
            participant,
            new=new,
            versions=versions,
            signed_version_id=participant.signed_version_id,
            window_days=study.reconsent_window_days,
            next_visit_on=next_visits.get(participant.pk),
            on=today[participant.study_site_id],
        )
        for participant, new in waiting
    ]
    items.extend(_majority_items(user, study, sites=sites, current=current, versions=versions, today=today))
    items.sort(
        key=lambda i: (not i.is_overdue, i.due_on, i.participant.study_site.site_number, i.participant.number)
    )
    return items


def _majority_items(user: User, study, *, sites, current, versions, today) -> list[ReconsentItem]:
    """Participants whose latest consent a representative gave while they were a minor: they consent
    themselves on reaching the age of majority where their site is (one query)."""
    latest = Consent.objects.filter(participant=OuterRef("pk")).order_by("-signed_at", "-id")
    minors = (
        Participant.objects.visible_to(user)
        .filter(study=study, status__in=rules.ACTIVE_STATUSES)
        .annotate(
            latest_signer=Subquery(latest.values("signer")[:1]),
            latest_age=Subquery(latest.values("age_at_signing")[:1]),
            latest_signed_at=Subquery(latest.values("signed_at")[:1]),
            latest_majority_on=Subquery(latest.values("majority_on")[:1]),
            signed_version_id=Subquery(latest.values("consent_version_id")[:1]),
        )
        .filter(latest_signer=consent_law.REPRESENTATIVE, latest_age__isnull=False)
        .only("id", "number", "status", "study_id", "study_site_id")
    )
    found = []
    for participant in minors:
        site = sites.get(participant.study_site_id)
        if site is None:
            continue
        majority = consent_law.age_of_majority(site.institution.country, site.institution.region)
        if participant.latest_age >= majority.age:
            continue  # a representative for an adult who cannot consent: no age to wait for
        participant.study_site = site
        signed = versions[participant.signed_version_id]
        due_on, exact = consent_law.majority_reconsent_due(
            signed_on=participant.latest_signed_at.astimezone(site.zone).date(),
            age=participant.latest_age,
            majority_age=majority.age,
            majority_on=participant.latest_majority_on,
        )
        new = current.get(site.pk, {}).get(signed.language)
        when = "" if exact else gettext(" (earliest day: only the age in years is known)")
        source = "" if majority.verified else gettext(", unverified")
        found.append(
            ReconsentItem(
                participant=participant,
                consent_version=versions[new.version_id] if new else signed,
                approved_on=new.approved_on if new else participant.latest_signed_at.date(),
                due_on=due_on,
                is_overdue=today[site.pk] > due_on,
                signed_version=signed,
                why=gettext("reaches %(age)s, the age of majority (%(citation)s%(source)s)%(when)s")
                % {"age": majority.age, "citation": majority.citation, "source": source, "when": when},
            )
        )
    return found
