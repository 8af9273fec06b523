"""Site activation: the sites the reader may see, planned against actual activation dates."""

from django.db.models import Count, Q
from django.utils.translation import gettext

from trialdesk.core import charts
from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.sites.models import StudySite
from trialdesk.sites.rules import ACTIVE_STATUSES


def _day(day) -> str:
    return day.isoformat() if day else ""


def study_block(user, study, today) -> ReportBlock:
    sites = list(
        StudySite.objects.visible_to(user)
        .filter(study=study)
        .select_related("institution")
        .order_by("site_number")
    )
    active = sum(site.status in ACTIVE_STATUSES for site in sites)
    planned_by_now = sum(
        1 for site in sites if site.planned_activation_on and site.planned_activation_on <= today
    )
    chart = charts.site_activation(
        [site.planned_activation_on for site in sites], [site.activated_on for site in sites], today=today
    )
    rows = tuple(
        (
            site.site_number,
            site.institution.name,
            gettext(site.get_status_display()),
            _day(site.planned_activation_on),
            _day(site.activated_on),
        )
        for site in sites
    )
    return ReportBlock(
        summary=(
            gettext("%(active)s of %(sites)s sites active; %(planned)s were planned to be active by %(on)s.")
            % {"active": active, "sites": len(sites), "planned": planned_by_now, "on": today.isoformat()}
        ),
        figures=(
            (gettext("Sites"), str(len(sites))),
            (gettext("Active"), str(active)),
            (gettext("Planned active by today"), str(planned_by_now)),
        ),
        tables=(
            ReportTable(
                (
                    gettext("Site"),
                    gettext("Institution"),
                    gettext("Status"),
                    gettext("Planned activation"),
                    gettext("Activated"),
                ),
                rows,
            ),
        ),
        charts=(chart,) if chart else (),
    )


def portfolio_block(user, studies, today) -> ReportBlock | None:
    if not studies:
        return None
    counts = {
        row["study_id"]: row
        for row in StudySite.objects.visible_to(user)
        .filter(study__in=studies)
        .values("study_id")
        .annotate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
            planned=Count("pk", filter=Q(planned_activation_on__lte=today)),
        )
    }
    rows = tuple(
        (
            study.code,
            str(counts.get(study.pk, {}).get("total", 0)),
            str(counts.get(study.pk, {}).get("active", 0)),
            str(counts.get(study.pk, {}).get("planned", 0)),
        )
        for study in studies
    )
    return ReportBlock(
        tables=(
            ReportTable(
                (gettext("Study"), gettext("Sites"), gettext("Active"), gettext("Planned active by today")),
                rows,
            ),
        )
    )
