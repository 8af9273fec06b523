"""Demo protocol deviations: one site whose important deviations stand out on the Risk indicators tab."""

import datetime as dt
import random

from trialdesk.core.demo import DAY, DemoContext
from trialdesk.core.models import User
from trialdesk.sites.models import StudySite
from trialdesk.visits import services as visit_services

# The site whose important deviations stand out on the Risk indicators tab, and how many it has.
DEVIATION_SITE = ("ONC-301", "103")
DEVIATIONS = (
    ("consent", "Consent signed on a superseded consent version"),
    ("eligibility", "Enrolled although inclusion criterion I5 (eGFR) was not met"),
    ("visit_window", "Week 4 visit done 9 days outside its window"),
    ("procedure", "ECG not performed at the baseline visit"),
    ("ip_dosing", "Study drug dispensed at twice the prescribed dose"),
    ("safety_reporting", "Serious adverse event reported 5 days after the 24-hour deadline"),
)


def site_step(*, demo: DemoContext, site: StudySite, status: str) -> None:
    """Once the deviation site has enrolled its participants, its deviations."""
    if status == "enrolling" and (site.study.code, site.site_number) == DEVIATION_SITE:
        create_deviations(site, last_actual_day=demo.last_actual_day, by=demo.crm)


def create_deviations(site: StudySite, *, last_actual_day: dt.date, by: User) -> None:
    """Important deviations at one site, several per participant-month more than its peers."""
    participants = list(site.participants.order_by("enrolled_on", "pk"))
    if not participants:
        return
    rng = random.Random(f"deviations/{site.study.code}/{site.site_number}")
    for index, (category, description) in enumerate(DEVIATIONS):
        participant = participants[index % len(participants)]
        occurred_on = (
            participant.enrolled_on + rng.randint(0, (last_actual_day - participant.enrolled_on).days) * DAY
        )
        visit_services.create_deviation(
            study=site.study,
            study_site=site,
            participant=participant,
            category=category,
            important=True,
            description=description,
            occurred_on=occurred_on,
            identified_on=min(occurred_on + rng.randint(0, 20) * DAY, last_actual_day),
            corrective_action="Site retrained on the protocol; reviewed at the next monitoring visit",
            by=by,
        )
