"""The study's sites and their institutions from the registry's locations, created or brought up to date."""

from django.core.exceptions import ValidationError

from trialdesk.core import extensions, records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
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
    overwritten."""
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
    institutions = _known_institutions(registry.locations)
    imported = {}
    seen = set()
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
        try:
            if site is None:
                site = _create_site(study, location, status, numbers, institutions, by=by)
                if status in PAST_ACTIVATION:
                    site = _walk(
                        site, status, location, by=by, outcome=outcome, path=_path_from_start_up(status)
                    )
                location_sites[location.key] = site.pk
                outcome.sites_created += 1
                imported[str(site.pk)] = {"status": site.status, "institution": _institution_values(location)}
                continue
            location_sites[location.key] = site.pk
            imported[str(site.pk)] = _update_site(
                site, location, status, site_previous, by=by, outcome=outcome
            )
        except ValidationError as error:
            raise ImportRefused(location.path, _messages(error)) from error
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


def _create_site(
    study, location: Location, status: str | None, numbers: set, institutions: dict, *, by
) -> StudySite:
    """A new study site at the registry's status, in one audited create.

    The site is recorded as it stands in the registry rather than walked through every earlier status:
    the import did not witness those steps, so the audit trail should not claim it did. The exception is
    a site past activation: it is created in start-up and the caller walks it on through the gates
    (_walk), which hold it there while its start-up items are pending.
    """
    values = _institution_values(location)
    institution = institutions.get((values["name"], values["city"], values["country"]))
    if institution is None:
        institution = site_services.create_institution(by=by, reason=REASON, **values)
        institutions[(values["name"], values["city"], values["country"])] = institution
    number = len(numbers) + 1
    while f"{number:03d}" in numbers:
        number += 1
    numbers.add(f"{number:03d}")
    require(can_manage_study(by, study.pk))
    site = StudySite(study=study, institution=institution, site_number=f"{number:03d}")
    if status:
        site.status = SiteStatus.START_UP if status in PAST_ACTIVATION else status
    return records.create_record(site, by=by, reason=REASON)


def _update_site(
    site: StudySite, location: Location, status: str | None, previous: dict | None, *, by, outcome
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
    moved = _follow_status(site, location, status, previous, imported, by=by, outcome=outcome)
    if changes or moved:
        outcome.sites_updated += 1
    return imported


def _follow_status(site, location, status, previous, imported, *, by, outcome) -> bool:
    """Walk the site along its lifecycle to the registry's status, unless Trialdesk changed it itself."""
    label = f"site {site.site_number}"
    if status is None:
        return False
    if status == site.status:
        imported["status"] = status
        return False
    own = previous is None or ("status" in previous and previous["status"] != site.status)
    if own:
        why = "set before the first import" if previous is None else "changed since the last import"
        outcome.local_edits.append(
            f"{label} status: Trialdesk has {site.status!r} ({why}), registry says {status!r}"
        )
        if previous and "status" in previous:
            imported["status"] = previous["status"]
        return False
    path = site_rules.site_status_path(site.status, status, status_before_hold=site.status_before_hold)
    if path is None:
        outcome.warnings.append(
            f"{location.path}.status: {label} cannot move from {site.status} to {status} "
            "along the site lifecycle; left as it is"
        )
        imported["status"] = site.status
        return False
    walked = _walk(site, status, location, by=by, outcome=outcome, path=path)
    # Where a gate held the site, the status it stopped at is what the next import compares with, so
    # that it walks on once the start-up items are done.
    imported["status"] = walked.status
    return walked.status != site.status


def _path_from_start_up(status: str) -> list[str]:
    """A new site's way from start-up to the registry's status; a suspended site was enrolling."""
    if status == SiteStatus.ON_HOLD:
        return [*site_rules.site_status_path(SiteStatus.START_UP, SiteStatus.ENROLLING), SiteStatus.ON_HOLD]
    return site_rules.site_status_path(SiteStatus.START_UP, status)


def _walk(site, status, location, *, by, outcome, path=None):
    """Move the site along its lifecycle towards the registry's status, stopping where a gate (start-up
    items pending, for instance) refuses a step: a warning names what is missing, the import goes on."""
    if path is None:
        path = site_rules.site_status_path(site.status, status, status_before_hold=site.status_before_hold)
    for step in path or ():
        problems = extensions.gate_problems(extensions.site_status_gates, study_site=site, to=step)
        if problems:
            missing = "; ".join(message for messages in problems.values() for message in messages)
            outcome.warnings.append(
                f"{location.path}.status: site {site.site_number} stays {site.status} although the "
                f"registry says {status}: {missing}"
            )
            break
        site = site_services.change_site_status(study_site=site, to=step, by=by, reason=REASON)
    return site
