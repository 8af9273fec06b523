"""The CDISC ODM 1.3.2 export of a study: what a person may see, as an ODM document.

The export is built from the exporting person's scope: sites, participants, visits and audit events
come from `visible_to(user)`, and a participant's arm is written only when that person may see it
(randomization.concealment), so a blinded monitor's file has no arms at all.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

import trialdesk
from trialdesk.core.models import AuditEvent, RoleAssignment, User
from trialdesk.interop import odm
from trialdesk.interop.odm import writer
from trialdesk.randomization.concealment import Reader
from trialdesk.randomization.models import Allocation
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Arm, ProtocolVersion, Study
from trialdesk.subjects.models import Participant
from trialdesk.visits import selectors as visit_selectors
from trialdesk.visits.models import ScheduledVisit, VisitDefinition, VisitStatus, VisitType

# Not "LOC.<something>" like the sites, so that no site number can clash with it.
SPONSOR_LOCATION = "SPONSOR"


# Identifiers ------------------------------------------------------------------------------------------


def study_oid(study: Study) -> str:
    return f"ST.{study.code}"


def metadata_version_oid(protocol_version: ProtocolVersion | None) -> str:
    return f"MDV.{protocol_version.number}" if protocol_version else "MDV.NONE"


def event_oid(definition: VisitDefinition) -> str:
    return f"SE.{definition.code}"


def location_oid(study_site: StudySite) -> str:
    return f"LOC.{study_site.site_number}"


def user_oid(username: str) -> str:
    return f"USR.{username}"


# Export -----------------------------------------------------------------------------------------------


def _metadata_versions(user: User, study: Study) -> tuple[list[ProtocolVersion], list[odm.MetaDataVersion]]:
    versions = list(
        ProtocolVersion.objects.visible_to(user)
        .filter(study=study)
        .prefetch_related("visit_definitions")
        .order_by("version_date", "id")
    )
    arms = tuple(
        Arm.objects.visible_to(user).filter(study=study).order_by("code").values_list("code", "name")
    )
    built = []
    for version in versions:
        events = tuple(
            odm.EventDef(
                oid=event_oid(definition),
                name=definition.name,
                type="Unscheduled" if definition.visit_type == VisitType.UNSCHEDULED else "Scheduled",
                mandatory=definition.visit_type != VisitType.UNSCHEDULED,
                category=definition.get_visit_type_display(),
            )
            for definition in sorted(
                version.visit_definitions.all(), key=lambda d: (d.order, d.day_offset, d.pk)
            )
        )
        built.append(
            odm.MetaDataVersion(
                oid=metadata_version_oid(version),
                name=f"Protocol v{version.number}",
                description=version.get_status_display(),
                events=events,
                arm_codes=arms,
            )
        )
    if not built:
        built.append(
            odm.MetaDataVersion(oid=metadata_version_oid(None), name="No protocol version", arm_codes=arms)
        )
    return versions, built


def _subjects(user: User, study: Study, versions: list[ProtocolVersion], *, default_mdv: str) -> list:
    """Each participant `user` may see with their visits done; rows are read as plain values because a
    study's tens of thousands of visits would otherwise spend seconds building model instances."""
    participants = list(
        Participant.objects.visible_to(user)
        .filter(study=study)
        .select_related("study_site")
        .order_by("number")
    )
    rank = {v.pk: (v.version_date, v.pk) for v in versions}
    oid_of_version = {v.pk: metadata_version_oid(v) for v in versions}
    definitions = dict(
        VisitDefinition.objects.filter(protocol_version__study=study).values_list("pk", "code")
    )
    version_of_definition = dict(
        VisitDefinition.objects.filter(protocol_version__study=study).values_list("pk", "protocol_version_id")
    )
    visits: dict[int, list[tuple]] = {}
    rows = (
        ScheduledVisit.objects.visible_to(user)
        .filter(participant__study=study, status=VisitStatus.DONE, done_on__isnull=False)
        .order_by("participant_id", "done_on", "id")
        .values_list("participant_id", "definition_id", "done_on", "modality", "pk")
    )
    for participant_id, definition_id, done_on, modality, pk in rows:
        visits.setdefault(participant_id, []).append((definition_id, done_on, modality, pk))
    allocations = {
        a.participant_id: a
        for a in Allocation.objects.filter(participant__in=[p.pk for p in participants]).select_related("arm")
    }
    reader = Reader(user)
    subjects = []
    for participant in participants:
        own = visits.get(participant.pk, [])
        used = [version_of_definition[d] for d, *_ in own if d in version_of_definition]
        # A participant's data belongs to the latest protocol version their visits were scheduled on.
        mdv = oid_of_version.get(max(used, key=lambda v: rank.get(v, (dt.date.min, 0)))) if used else None
        allocation = allocations.get(participant.pk)
        arm = reader.arm_of(allocation) if allocation else None
        subjects.append(
            odm.SubjectRecord(
                key=participant.number,
                site_oid=location_oid(participant.study_site),
                metadata_version_oid=mdv or default_mdv,
                status=participant.status,
                enrolled_on=participant.enrolled_on,
                arm_code=arm.code if arm else None,
                randomized_at=allocation.randomized_at if arm else None,
                events=tuple(
                    odm.EventRecord(
                        oid=f"SE.{definitions[definition_id]}" if definition_id else writer.UNSCHEDULED_EVENT,
                        done_on=done_on,
                        modality=modality,
                        repeat_key="" if definition_id else str(pk),
                    )
                    for definition_id, done_on, modality, pk in own
                ),
            )
        )
    return subjects


def build_export(
    *,
    study: Study,
    user: User,
    metadata: bool = True,
    clinical_data: bool = True,
    audit: bool = False,
    now: dt.datetime | None = None,
) -> odm.OdmDocument:
    """The ODM document of `study` as `user` may see it (the caller has checked the study is in scope)."""
    now = now or timezone.now()
    versions, mdvs = _metadata_versions(user, study)
    current = visit_selectors.schedule_version_of(study)
    default_mdv = metadata_version_oid(current) if current in versions else mdvs[-1].oid
    sites = list(StudySite.objects.visible_to(user).filter(study=study).select_related("institution"))
    subjects = _subjects(user, study, versions, default_mdv=default_mdv) if clinical_data else []
    effective_on = (current.effective_on or current.approved_on or current.version_date) if current else None
    locations = [
        odm.Location(
            oid=location_oid(site),
            name=f"{site.institution.name}, {site.institution.city} (site {site.site_number})",
            metadata_version_oid=default_mdv,
            effective_on=effective_on,
        )
        for site in sites
    ]
    site_oids = {site.pk: location_oid(site) for site in sites}
    entries: list[odm.AuditEntry] = []
    if audit:
        events = AuditEvent.objects.visible_to(user).filter(study_id=study.pk).order_by("id")
        for event in events.iterator(chunk_size=2000):
            entries.append(
                odm.AuditEntry(
                    id=f"AR.{event.pk}",
                    user_oid=user_oid(event.actor_username),
                    location_oid=site_oids.get(event.study_site_id, SPONSOR_LOCATION),
                    at=event.occurred_at,
                    reason=event.reason,
                    source_id=f"{event.action} {event.object_type}:{event.object_id} sha256:{event.hash}",
                )
            )
        if any(entry.location_oid == SPONSOR_LOCATION for entry in entries):
            locations.append(
                odm.Location(
                    oid=SPONSOR_LOCATION,
                    name=study.sponsor or "Sponsor",
                    type="Sponsor",
                    metadata_version_oid=default_mdv,
                    effective_on=effective_on,
                )
            )
    users = _users(study, sites, extra={entry.user_oid for entry in entries})
    return odm.OdmDocument(
        file_oid=f"TRIALDESK.{study.code}.{now:%Y%m%dT%H%M%S}",
        created_at=now,
        study_oid=study_oid(study),
        study_name=study.code,
        study_description=study.title,
        protocol_name=study.code,
        metadata_versions=tuple(mdvs),
        include_metadata=metadata,
        users=tuple(users),
        locations=tuple(locations),
        subjects=tuple(subjects),
        include_clinical_data=clinical_data,
        audit_entries=tuple(entries),
        source_system_version=trialdesk.__version__,
    )


def _users(study: Study, sites: list[StudySite], *, extra: set[str]) -> list[odm.AdminUser]:
    """The study's staff (study-level roles and roles at the visible sites) and every audit actor."""
    site_oids = {site.pk: location_oid(site) for site in sites}
    assignments = RoleAssignment.objects.filter(
        Q(study=study) | Q(study_site__in=list(site_oids))
    ).select_related("user")
    people: dict[str, tuple[User | None, set[str]]] = {}
    for assignment in assignments:
        if assignment.study_site_id and assignment.study_site_id not in site_oids:
            continue  # staff of a site the reader does not see stay out of the file
        _, where = people.setdefault(user_oid(assignment.user.username), (assignment.user, set()))
        if assignment.study_site_id:
            where.add(site_oids[assignment.study_site_id])
    missing = extra - set(people)
    if missing:
        usernames = {oid.removeprefix("USR.") for oid in missing}
        for person in User.objects.filter(username__in=usernames):
            people[user_oid(person.username)] = (person, set())
        for oid in missing - set(people):
            people[oid] = (None, set())  # "system", or an account that no longer exists
    return [
        odm.AdminUser(
            oid=oid,
            login=oid.removeprefix("USR."),
            full_name=person.get_full_name() if person else "",
            location_oids=tuple(sorted(where)),
        )
        for oid, (person, where) in sorted(people.items())
    ]


def export_study(*, study: Study, user: User, **options) -> bytes:
    """The ODM 1.3.2 XML of `study` as `user` may see it (see build_export for the options)."""
    return odm.write(build_export(study=study, user=user, **options))
