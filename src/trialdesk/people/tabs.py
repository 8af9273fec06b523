"""The study page's Staff tab (delegation logs with training flags, training records, disclosures); the
site staff page shows the same for one site."""

from django.db.models import Q

from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import can_work_at_some_site
from trialdesk.people import rules, selectors
from trialdesk.people.models import DelegationEntry
from trialdesk.people.permissions import (
    can_keep_delegation_log,
    can_record_some_disclosure,
    can_see_financial_interests,
    can_sign_delegation,
)
from trialdesk.sites.models import StudySite

TRAINING_ROWS = 200
SITES_PER_PAGE = 20


def staff_context(request, study, *, only_site=None) -> dict:
    """Delegation logs, training flags, training records and disclosures of the sites the user sees,
    SITES_PER_PAGE sites at a time; the due and overdue disclosures of all of them."""
    user = request.user
    sites = StudySite.objects.visible_to(user).filter(study=study).select_related("institution")
    if only_site is not None:
        sites = sites.filter(pk=only_site.pk)
    page = paginate(sites.order_by("site_number"), request, per_page=SITES_PER_PAGE)
    page_sites = list(page.object_list)
    logs = selectors.delegation_logs(user, study, sites=page_sites)
    flags = selectors.training_flags_by_site(page_sites, study)
    training = (
        selectors.training_records_for(user, study)
        .filter(Q(study_site__in=page_sites) | Q(study_site__isnull=True))
        .order_by("staff_member__username", "kind")
    )
    on_page = {site.pk for site in page_sites}
    disclosures = [
        row
        for row in selectors.disclosure_status(user, study)
        if only_site is None or row.site.pk == only_site.pk
    ]
    return {
        "current_protocol": selectors.current_protocol_version(study),
        "site_page": page,
        "site_logs": [(log, flags.get(log.site.pk, [])) for log in logs],
        "flag_count": sum(len(found) for found in flags.values()),
        "training_records": training[:TRAINING_ROWS],
        "training_count": training.count(),
        "disclosure_rows": [
            (row, [(d, can_see_financial_interests(user, d)) for d in row.collected])
            for row in disclosures
            if row.site.pk in on_page
        ],
        "reminders": [
            (row, due) for row in disclosures for due in row.owed if due.status in ("due", "overdue")
        ],
        "log_keeper_sites": {site.pk for site in page_sites if can_keep_delegation_log(user, site)},
        "signer_sites": {site.pk for site in page_sites if can_sign_delegation(user, site)},
        "disclosure_sites": {site.pk for site in page_sites if can_record_some_disclosure(user, site)},
        "may_file_training": can_work_at_some_site(user, study.pk),
        "reminder_days": rules.REMINDER_DAYS,
    }


def staff_tab(request, study) -> dict:
    return staff_context(request, study)


def site_staff_panel(request, site) -> dict:
    """The site page's staff panel: who lacks current training, and whether the site keeps its
    delegation log here (the site page has already checked that the reader sees the site)."""
    today = site.local_today()
    entries = DelegationEntry.objects.filter(study_site=site)
    return {
        "site": site,
        "flags": selectors.site_training_flags(site),
        "keeps_log": entries.exists(),
        "in_force": sum(1 for entry in entries if entry.in_force_on(today)),
        "unsigned": entries.filter(signed_at__isnull=True).count(),
    }
