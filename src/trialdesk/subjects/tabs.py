"""The study page's participant tabs (participants, recruitment, diversity, consent, re-consent) and the
overview's participant figures; each takes (request, study) and returns the tab's template context."""

from trialdesk.core.pagination import paginate
from trialdesk.sites.models import StudySite
from trialdesk.subjects import rules, selectors
from trialdesk.subjects.models import ConsentApproval, ParticipantStatus
from trialdesk.subjects.permissions import can_manage_consent_versions, can_record_participant_data

RECONSENT_PAGE_SIZE = 100


def _visible_sites(request, study):
    return StudySite.objects.visible_to(request.user).filter(study=study).select_related("institution")


def participants_tab(request, study) -> dict:
    """The study's participants the user may see, filtered by site and status."""
    participants = selectors.participants_for(request.user, study).order_by("number")
    site, status = request.GET.get("site", ""), request.GET.get("status", "")
    if site.isdigit():
        participants = participants.filter(study_site_id=int(site))
    if status in ParticipantStatus.values:
        participants = participants.filter(status=status)
    return {
        "page": paginate(participants, request),
        "filter_sites": _visible_sites(request, study).order_by("site_number"),
        "filter_site": site,
        "filter_status": status,
        "statuses": ParticipantStatus.choices,
    }


def recruitment_tab(request, study) -> dict:
    return {"funnel": selectors.recruitment_funnel(request.user, study)}


def diversity_tab(request, study) -> dict:
    return {
        "diversity": selectors.diversity_comparison(request.user, study),
        "may_plan": can_manage_consent_versions(request.user, study.pk),
    }


def consent_tab(request, study) -> dict:
    """Consent versions and, for each, its approval at each site the user may see (and which is in use)."""
    sites = list(_visible_sites(request, study).order_by("site_number"))
    versions = list(selectors.consent_versions_for(request.user, study))
    approvals = {
        (a.consent_version_id, a.study_site_id): a
        for a in ConsentApproval.objects.visible_to(request.user).filter(study=study)
    }
    in_use = set()
    for site in sites:
        approved = [
            rules.ApprovedVersion(v.pk, v.language, v.effective_on, approvals[(v.pk, site.pk)].approved_on)
            for v in versions
            if (v.pk, site.pk) in approvals
        ]
        current = rules.current_versions(approved, on=site.local_today())
        in_use |= {(version.version_id, site.pk) for version in current.values()}
    rows = [
        (
            version,
            [(site, approvals.get((version.pk, site.pk)), (version.pk, site.pk) in in_use) for site in sites],
        )
        for version in versions
    ]
    return {
        "consent_sites": sites,
        "consent_rows": rows,
        "may_manage_consent": can_manage_consent_versions(request.user, study.pk),
    }


def reconsent_tab(request, study) -> dict:
    items = selectors.reconsent_worklist(request.user, study)
    sites = _visible_sites(request, study)
    return {
        "recording_sites": {site.pk for site in sites if can_record_participant_data(request.user, site)},
        "reconsent_page": paginate(items, request, per_page=RECONSENT_PAGE_SIZE),
        "reconsent_count": len(items),
        "overdue_count": sum(1 for item in items if item.is_overdue),
        "window_days": study.reconsent_window_days,
    }


def overview_numbers(request, study) -> dict:
    """The overview tab's participant figures over the sites the user may see."""
    return {"participant_numbers": selectors.recruitment_numbers(request.user, study)}
