"""The incidents part of the demo: a personal data breach with its clocks running, and a serious breach.

In the first demo study (ONC-301 where it exists), the sponsor became aware 50 hours ago that a screening
log with 37 candidates' names was e-mailed to the wrong site: a risk to them but not a high one, so the
supervisory authority (GDPR art. 33) and, the study running in the UK too, the ICO are due within 72 hours
of awareness, that is in the next 24 hours; the affected individuals need no notice (art. 34). Three days
ago a site was found dosing from an unapproved protocol version: a serious breach, due to the member
states within 7 days (EU CTR art. 52). So the demo `crm` sees both on the obligations board and in "my
work".
"""

import datetime as dt

from django.utils import timezone

from trialdesk.core.demo import DemoContext
from trialdesk.incidents import services
from trialdesk.safety.models import StudySafetySettings
from trialdesk.studies.models import Study

FALLBACK_ZONE = "Europe/Berlin"


def _sponsor_zone(study: Study) -> str:
    found = StudySafetySettings.objects.filter(study=study).first()
    return (found.effective_time_zone if found else "") or FALLBACK_ZONE


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders)."""
    study = Study.objects.filter(code="ONC-301").first() or Study.objects.order_by("code").first()
    if study is None:
        return
    now = timezone.now().replace(second=0, microsecond=0)
    zone = _sponsor_zone(study)
    site = study.sites.order_by("site_number").first()
    services.record_incident(
        study=study,
        by=demo.crm,
        study_site=site,
        kind="personal_data_breach",
        title="Pre-screening log e-mailed to the wrong site",
        description="A coordinator sent the pre-screening candidate log (names, year of birth, diagnosis) "
        "to a site of another study. The recipient confirmed deletion the next morning.",
        aware_at=now - dt.timedelta(hours=50),
        jurisdictions=["EU", "UK"],
        sponsor_timezone=zone,
        affected_individuals=37,
        risk_to_individuals="risk",
        hipaa_role="not_covered",
        measures="Deletion confirmed in writing; e-mail auto-complete turned off for candidate logs.",
        reason="demo",
    )
    services.record_incident(
        study=study,
        by=demo.crm,
        study_site=site,
        kind="serious_breach",
        title="Dosing under a superseded protocol version",
        description="Three participants were dosed under protocol 2.0 after 3.0 was approved, which "
        "lowered the starting dose.",
        aware_at=now - dt.timedelta(days=3, hours=2),
        jurisdictions=["EU"],
        sponsor_timezone=zone,
        affected_individuals=3,
        reason="demo",
    )
    demo.summary.append(
        f"{study.code}: a personal data breach due to the authorities within 24 hours, a serious breach"
    )
