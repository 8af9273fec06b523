"""Demo participants: each study's consent version, its approval as each site is activated, and each
enrolling site's screening log, consents, enrollments and a few withdrawals.

Everything goes through the subjects services, so each record is audited. Each site draws from its own
seed (study code and site number), so the numbers do not depend on the order of loading, and each site
has its own recruitment rate: some recruit briskly, some barely at all.
"""

import datetime as dt
import random

from trialdesk.core.demo import DemoContext
from trialdesk.core.models import User
from trialdesk.sites.models import StudySite
from trialdesk.studies.demo import study_start
from trialdesk.studies.demo_data import STUDIES
from trialdesk.studies.models import ProtocolStatus, Study
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.models import ConsentVersion, Ethnicity, Race, ScreenFailureReason, ScreeningSource

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


def load_consent_versions(demo: DemoContext) -> None:
    """Each study's consent version 1.0, effective from the study's start; leaves made["consent_versions"]."""
    demo.made["consent_versions"] = {
        definition.code: create_consent_version(
            demo.made["studies"][definition.code], effective_on=study_start(demo, definition), by=demo.crm
        )
        for definition in STUDIES
    }


def site_step(*, demo: DemoContext, site: StudySite, status: str) -> None:
    """The ethics committee's approval of the consent version when a site is activated; screening and
    enrollment while it enrolls."""
    version = demo.made["consent_versions"].get(site.study.code)
    if version is None:
        return
    if status == "activated":
        approve_consent(version, site, by=demo.crm)
    elif status == "enrolling":
        # Participants are enrolled while the site enrolls, before it closes or pauses.
        load_site_participants(site, version, last_actual_day=demo.last_actual_day, by=demo.crm)


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
