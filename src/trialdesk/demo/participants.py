"""Demo participants: each enrolling site's screening log, consents, enrollments and a few withdrawals.

Everything goes through the subjects and visits services, so each record is audited. Each site draws
from its own seed (study code and site number), so the numbers do not depend on the order of loading,
and each site has its own recruitment rate: some recruit briskly, some barely at all.
"""

import datetime as dt
import random

from trialdesk.core.models import User
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolStatus, Study
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.models import ConsentVersion, Ethnicity, Race, ScreenFailureReason, ScreeningSource
from trialdesk.visits import services as visit_services

DAY = dt.timedelta(days=1)
CONSENT_ITEMS = ["Future research on stored samples", "Genetic testing"]
# Screen failures as a CRM would see them coded in a screening log: (reason, which criterion or what).
FAILURES = (
    (ScreenFailureReason.INCLUSION_NOT_MET, "I3: ECOG performance status 0–1"),
    (ScreenFailureReason.INCLUSION_NOT_MET, "I5: adequate renal function (eGFR ≥ 50 mL/min)"),
    (ScreenFailureReason.EXCLUSION_MET, "E2: prior treatment with a study-class drug"),
    (ScreenFailureReason.EXCLUSION_MET, "E7: uncontrolled hypertension"),
    (ScreenFailureReason.CONSENT_DECLINED, ""),
    (ScreenFailureReason.LOST_BEFORE_RANDOMIZATION, ""),
    (ScreenFailureReason.OTHER, "Could not commit to the visit schedule (travel distance)"),
)
SOURCES = (
    *(ScreeningSource.CLINIC,) * 5,
    *(ScreeningSource.REFERRAL,) * 3,
    ScreeningSource.ADVERTISING,
    ScreeningSource.ONLINE,
    ScreeningSource.REGISTRY,
    ScreeningSource.COMMUNITY,
)
RACES = (*(Race.WHITE,) * 6, *(Race.BLACK_OR_AFRICAN_AMERICAN,) * 2, *(Race.ASIAN,) * 2, Race.MORE_THAN_ONE)
WITHDRAWAL_REASONS = (
    "Participant withdrew consent: treatment burden too high",
    "Withdrawn by the investigator: intercurrent illness",
    "Participant moved away and could not continue visits",
)
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


def create_consent_version(study: Study, *, effective_on: dt.date, by: User) -> ConsentVersion | None:
    """The study's consent version 1.0 (English), on its effective protocol; None when none is effective."""
    protocol = study.protocol_versions.filter(status=ProtocolStatus.EFFECTIVE).order_by("-id").first()
    if protocol is None:
        return None
    return subject_services.create_consent_version(
        study=study,
        protocol_version=protocol,
        label="1.0",
        language="en",
        effective_on=effective_on,
        optional_items=CONSENT_ITEMS,
        by=by,
    )


def approve_consent(version: ConsentVersion, site: StudySite, *, by: User) -> None:
    """The site's ethics committee approved the consent version by the day the site was activated."""
    subject_services.record_consent_approval(
        consent_version=version,
        study_site=site,
        approved_on=site.activated_on,
        reference=f"EC-{site.study.code}-{site.site_number}",
        by=by,
    )


def load_site_participants(
    site: StudySite, version: ConsentVersion, *, last_actual_day: dt.date, by: User
) -> None:
    """Screen, consent and enroll the site's people from its activation to `last_actual_day`."""
    rng = random.Random(f"{site.study.code}/{site.site_number}")
    # Consents stop two days back: their time of day, in the site's zone, is then surely past everywhere.
    last_screening = last_actual_day - 2 * DAY
    first_screening = site.activated_on + rng.randint(3, 20) * DAY
    if first_screening > last_screening:
        return
    # A brisk site enrolls up to its target, a slow one a couple of people.
    enrolling = min(site.target_enrollment, round(site.target_enrollment * rng.uniform(0.05, 0.42)) + 1)
    failing = round(enrolling * rng.uniform(0.15, 0.6))
    span = (last_screening - first_screening).days
    days = sorted(first_screening + rng.randint(0, span) * DAY for _ in range(enrolling + failing))
    outcomes = ["passed"] * enrolling + ["failed"] * failing
    rng.shuffle(outcomes)
    for index, (screened_on, outcome) in enumerate(zip(days, outcomes, strict=True), start=1):
        _screen(
            site, version, rng, f"S{site.site_number}-{index:03d}", screened_on, outcome, last_actual_day, by
        )


def _screen(site, version, rng, number, screened_on, outcome, last_actual_day, by) -> None:
    values = {"source": rng.choice(SOURCES)}
    if outcome == "failed":
        reason, detail = rng.choice(FAILURES)
        values.update(failure_reason=reason, failure_detail=detail)
    entry = subject_services.create_screening_entry(
        study_site=site, screening_number=number, screened_on=screened_on, outcome=outcome, by=by, **values
    )
    if outcome == "failed" and values["failure_reason"] == ScreenFailureReason.CONSENT_DECLINED:
        return
    signed_at = dt.datetime.combine(screened_on, dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))))
    subject_services.record_consent(
        screening_entry=entry,
        consent_version=version,
        signed_at=signed_at.replace(tzinfo=site.zone),
        obtained_by=site.principal_investigator,
        optional_items={item: rng.random() < 0.7 for item in version.optional_items},
        by=by,
    )
    if outcome != "passed":
        return
    enrolled_on = min(screened_on + rng.randint(2, 21) * DAY, last_actual_day)
    participant = subject_services.enroll_participant(
        screening_entry=entry, enrolled_on=enrolled_on, demographics=_demographics(site, rng), by=by
    )
    if rng.random() < 0.06 and enrolled_on < last_actual_day:
        subject_services.change_participant_status(
            participant=participant,
            to="withdrawn",
            on=enrolled_on + rng.randint(1, (last_actual_day - enrolled_on).days) * DAY,
            reason=rng.choice(WITHDRAWAL_REASONS),
            by=by,
        )


def _demographics(site: StudySite, rng: random.Random) -> dict:
    hispanic = rng.random() < (0.25 if site.institution.country in ("US", "ES", "MX", "BR") else 0.04)
    return {
        "sex": rng.choice(("female", "male")),
        "age_at_consent": max(18, min(89, round(rng.gauss(61, 11)))),
        "ethnicity": Ethnicity.HISPANIC_OR_LATINO if hispanic else Ethnicity.NOT_HISPANIC_OR_LATINO,
        "race": rng.choice(RACES),
        "country": site.institution.country,
    }


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
