"""The study's sites and their institutions from the registry's locations, created or brought up to date."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from trialdesk.core import extensions, records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_institutions, can_manage_study, require
from trialdesk.integrations.registry import rules
from trialdesk.integrations.registry.importing import (
    REASON,
    ImportOutcome,
    ImportRefused,
    _current,
    _merge,
    _messages,
)
from trialdesk.interop.ctgov import Location, RegistryStudy
from trialdesk.sites import rules as site_rules
from trialdesk.sites import services as site_services
from trialdesk.sites.models import Institution, SiteStatus, StudySite
from trialdesk.studies.models import Study


def _institution_values(location: Location) -> dict:
    return {
        "name": location.facility[:200],
        "city": location.city[:100],
        "region": location.state[:100],
        "postal_code": location.zip[:20],
        "country": location.country,
        "time_zone": location.time_zone,
    }


def _import_sites(
    study: Study,
    registry: RegistryStudy,
    location_sites: dict,
    previous: dict | None,
    *,
    by: User,
    outcome: ImportOutcome,
    fresh: bool = False,
) -> dict:
    """Each location's study site: the one linked before, else the study's site at that institution,
    else a new one. A site found by its institution counts as Trialdesk's own: nothing of it is
    overwritten. New institutions and sites are created in bulk (core.records.create_records), and the
    sites the registry shows further on are walked through the gates together (_walk_all)."""
    sites = {}
    if not fresh:
        sites = {s.pk: s for s in StudySite.objects.filter(study=study).select_related("institution")}
    numbers = {site.site_number for site in sites.values()}
    linked = set(location_sites.values())
    by_institution = {
        (s.institution.name, s.institution.city, s.institution.country): s
        for s in sites.values()
        if s.pk not in linked
    }
    imported = {}
    seen = set()
    new: list[tuple[Location, str | None]] = []
    walks: list[_Walk] = []
    for location in registry.locations:
        if location.key in seen:
            outcome.warnings.append(f"{location.path}: the same facility is listed twice; imported once")
            continue
        seen.add(location.key)
        status = rules.SITE_STATUS.get(location.status or registry.overall_status)
        site = sites.get(location_sites.get(location.key))
        site_previous = None if previous is None else previous.get(str(site.pk), {}) if site else {}
        if site is None:
            values = _institution_values(location)
            site = by_institution.pop((values["name"], values["city"], values["country"]), None)
            site_previous = None
        if site is None:
            new.append((location, status))
            continue
        location_sites[location.key] = site.pk
        try:
            imported[str(site.pk)] = _update_site(
                site, location, status, site_previous, by=by, outcome=outcome, walks=walks
            )
        except ValidationError as error:
            raise ImportRefused(location.path, _messages(error)) from error
    for (location, status), site in zip(new, _create_sites(study, new, numbers, by=by), strict=True):
        location_sites[location.key] = site.pk
        outcome.sites_created += 1
        entry = {"status": site.status, "institution": _institution_values(location)}
        imported[str(site.pk)] = entry
        if status in PAST_ACTIVATION:
            walks.append(_Walk(site, status, location, _path_from_start_up(status), entry))
    _walk_all(walks, by=by, outcome=outcome)
    return imported


# Statuses a site reaches only through activation: a new site the registry shows at one of them starts in
# start-up and is walked forward, so that the activation and close-out gates (startup app, through
# core.extensions.site_status_gates) hold for imports as they do for pages and the API.
PAST_ACTIVATION = frozenset(
    {
        SiteStatus.ACTIVATED,
        SiteStatus.ENROLLING,
        SiteStatus.ENROLLMENT_CLOSED,
        SiteStatus.ON_HOLD,
        SiteStatus.CLOSED,
    }
)


def _known_institutions(locations: tuple[Location, ...]) -> dict[tuple, Institution]:
    names = {location.facility[:200] for location in locations}
    found = {}
    for institution in Institution.objects.filter(name__in=names, department=""):
        found[(institution.name, institution.city, institution.country)] = institution
    return found


def _create_sites(study, new: list[tuple[Location, str | None]], numbers: set, *, by) -> list[StudySite]:
    """New study sites at the registry's status, each in one audited create, with the institutions not
    yet in the directory; all in two batches.

    A site is recorded as it stands in the registry rather than walked through every earlier status:
    the import did not witness those steps, so the audit trail should not claim it did. The exception is
    a site past activation: it is created in start-up and the caller walks it on through the gates
    (_walk_all), which hold it there while its start-up items are pending.
    """
    if not new:
        return []
    require(can_manage_study(by, study.pk))
    institutions = _known_institutions(tuple(location for location, _ in new))
    missing: dict[tuple, tuple[Institution, Location]] = {}
    for location, _ in new:
        values = _institution_values(location)
        key = (values["name"], values["city"], values["country"])
        if key not in institutions and key not in missing:
            missing[key] = (Institution(**values), location)
    if missing:
        require(can_manage_institutions(by), "Only administrators and CRMs add institutions.")
        _create_all(
            [institution for institution, _ in missing.values()], [loc for _, loc in missing.values()], by
        )
        institutions.update({key: institution for key, (institution, _) in missing.items()})
    sites = []
    number = 0
    for location, status in new:
        values = _institution_values(location)
        number += 1
        while f"{number:03d}" in numbers:
            number += 1
        numbers.add(f"{number:03d}")
        site = StudySite(
            study=study,
            institution=institutions[(values["name"], values["city"], values["country"])],
            site_number=f"{number:03d}",
        )
        if status:
            site.status = SiteStatus.START_UP if status in PAST_ACTIVATION else status
        sites.append(site)
    return _create_all(sites, [location for location, _ in new], by)


def _create_all(instances: list, locations: list[Location], by) -> list:
    """records.create_records, a bad row refused with its location's path."""
    try:
        return records.create_records(instances, by=by, reason=REASON)
    except records.BatchRefused as error:
        raise ImportRefused(locations[error.row].path, _messages(error)) from error


def _update_site(
    site: StudySite, location: Location, status: str | None, previous: dict | None, *, by, outcome, walks
) -> dict:
    """Bring a linked site and its institution up to the registry, keeping Trialdesk's own changes."""
    label = f"site {site.site_number}"
    wanted = _institution_values(location)
    before = None if previous is None else previous.get("institution", {})
    changes, kept, recorded = _merge(
        _current(site.institution, wanted), before, wanted, f"{label} institution"
    )
    outcome.local_edits.extend(kept)
    imported = {"institution": {**(before or {}), **recorded}}
    if changes:
        site_services.update_institution(institution=site.institution, changes=changes, by=by, reason=REASON)
    if changes:
        outcome.sites_updated += 1
    _follow_status(
        site, location, status, previous, imported, outcome=outcome, walks=walks, counted=bool(changes)
    )
    return imported


def _follow_status(site, location, status, previous, imported, *, outcome, walks, counted) -> None:
    """Walk the site along its lifecycle to the registry's status (with the others, in _walk_all), unless
    Trialdesk changed it itself."""
    label = f"site {site.site_number}"
    if status is None:
        return
    if status == site.status:
        imported["status"] = status
        return
    own = previous is None or ("status" in previous and previous["status"] != site.status)
    if own:
        why = "set before the first import" if previous is None else "changed since the last import"
        outcome.local_edits.append(
            f"{label} status: Trialdesk has {site.status!r} ({why}), registry says {status!r}"
        )
        if previous and "status" in previous:
            imported["status"] = previous["status"]
        return
    path = site_rules.site_status_path(site.status, status, status_before_hold=site.status_before_hold)
    if path is None:
        outcome.warnings.append(
            f"{location.path}.status: {label} cannot move from {site.status} to {status} "
            "along the site lifecycle; left as it is"
        )
        imported["status"] = site.status
        return
    # Where a gate holds the site, the status it stops at is what the next import compares with, so
    # that it walks on once the start-up items are done (_walk_all records it).
    walks.append(_Walk(site, status, location, path, imported, counted=counted))


def _path_from_start_up(status: str) -> list[str]:
    """A new site's way from start-up to the registry's status; a suspended site was enrolling."""
    if status == SiteStatus.ON_HOLD:
        return [*site_rules.site_status_path(SiteStatus.START_UP, SiteStatus.ENROLLING), SiteStatus.ON_HOLD]
    return site_rules.site_status_path(SiteStatus.START_UP, status)


@dataclass
class _Walk:
    """A site on its way along the lifecycle to the registry's `status`: `path` from where it stood,
    `done` steps taken; `imported` gets the status it ends at; `counted`: already counted as updated."""

    site: StudySite
    status: str
    location: Location
    path: list[str]
    imported: dict
    counted: bool | None = None  # None: a new site, counted as created
    done: int = 0


def _walk_all(walks: list[_Walk], *, by, outcome) -> None:
    """Move the sites along their lifecycle towards the registry's status, step by step, stopping a site
    where a gate (start-up items pending, for instance) refuses a step: a warning names what is missing,
    the import goes on. Each step's gates are asked once for all the sites taking it
    (extensions.gate_problems_many); the service asks again only for a site that passes."""
    start = {id(walk): walk.site.status for walk in walks}
    moving = [walk for walk in walks if walk.path]
    while moving:
        by_step: dict[str, list[_Walk]] = {}
        for walk in moving:
            by_step.setdefault(walk.path[walk.done], []).append(walk)
        moving = []
        for step, group in by_step.items():
            refused = extensions.gate_problems_many(
                extensions.site_status_gates, [walk.site for walk in group], record="study_site", to=step
            )
            for walk in group:
                problems = refused.get(walk.site.pk)
                if problems is None:
                    try:
                        walk.site = site_services.change_site_status(
                            study_site=walk.site, to=step, by=by, reason=REASON
                        )
                    except ValidationError as error:
                        if not _gate_refusal(error):
                            raise ImportRefused(f"{walk.location.path}.status", _messages(error)) from error
                        problems = error.message_dict
                if problems is not None:
                    _held(walk, problems, outcome)
                    continue
                walk.done += 1
                if walk.done < len(walk.path):
                    moving.append(walk)
    for walk in walks:
        walk.imported["status"] = walk.site.status
        if walk.counted is False and walk.site.status != start[id(walk)]:
            outcome.sites_updated += 1


def _gate_refusal(error: ValidationError) -> bool:
    fields = {gate.field for gate in extensions.site_status_gates}
    return hasattr(error, "error_dict") and set(error.error_dict) <= fields


def _held(walk: _Walk, problems: dict, outcome: ImportOutcome) -> None:
    missing = "; ".join(message for messages in problems.values() for message in messages)
    outcome.warnings.append(
        f"{walk.location.path}.status: site {walk.site.site_number} stays {walk.site.status} although the "
        f"registry says {walk.status}: {missing}"
    )
