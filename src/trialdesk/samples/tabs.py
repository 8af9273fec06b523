"""The study page's Samples tab and the study site page's Samples panel: counts per site (shown to
subject-blind readers too: they name no participant), shipments, permits due for renewal."""

from django.utils import timezone

from trialdesk.core.permissions import can_see_subject_level
from trialdesk.samples import rules, selectors
from trialdesk.samples.permissions import can_collect_samples, can_manage_samples, can_ship_samples

LATEST = 10


def samples_tab(request, study) -> dict:
    user = request.user
    today = timezone.now().date()
    permits = list(selectors.permits_for(user, study))
    return {
        "samples_reconciliation": selectors.reconciliation(user, study),
        "latest_shipments": list(selectors.shipments_for(user, study)[:LATEST]),
        "permits_expiring": [p for p in permits if rules.expiring(p.valid_until, today=today)],
        "permits_expired": [p for p in permits if p.valid_until < today],
        "may_manage_samples": can_manage_samples(user, study.pk),
    }


def site_panel(request, site) -> dict | None:
    """The site's samples: collected, waiting, in transit, received and discrepancies; links to the site's
    samples page (the site page has already checked that the reader sees the site)."""
    user = request.user
    reconciliation = selectors.reconciliation(user, site.study, study_site=site)
    return {
        "site": site,
        "row": reconciliation.rows[0] if reconciliation.rows else None,
        "samples_hidden": not can_see_subject_level(user, site.study_id),
        "may_collect": can_collect_samples(user, study_id=site.study_id, study_site_id=site.pk),
        "may_ship": can_ship_samples(user, study_id=site.study_id, study_site_id=site.pk),
    }
