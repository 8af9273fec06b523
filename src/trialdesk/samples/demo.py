"""The samples part of the demo: samples collected at two sites of the first demo study (ONC-301 where it
exists), one cross-border shipment to a central laboratory under the permits its country pair needs,
received with discrepancies (one sample missing, one thawed), one shipment still in transit, and samples
waiting to ship at both sites (the first is site 101, the demo coordinator's, in ONC-301's demo).

The permits are made from the rules table for the pair (a non-US site shipping viral-load plasma to the
US laboratory needs the CDC import permit; a site in China or India needs its export approval too), and
end within 60 days, so the demo `crm` finds them in "my work"."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from trialdesk.core.demo import DemoContext
from trialdesk.samples import rules, services
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant, ParticipantStatus
from trialdesk.visits.models import ScheduledVisit, VisitStatus
from trialdesk.visits.services import record_unscheduled_visit

PER_SITE = 6
# Visits this long ago at least: the samples were collected before the shipments left.
OLDEST_SHIPMENT_DAYS = 8


def _past_visits(demo, site, before: dt.date, limit: int) -> list[ScheduledVisit]:
    """The site's visits recorded, else scheduled, on or before `before`, latest first; where the demo has
    none, an unscheduled visit recorded for each of `limit` participants on the day they were enrolled."""
    visits = ScheduledVisit.objects.filter(participant__study_site=site).select_related("participant")
    done = visits.filter(status=VisitStatus.DONE, done_on__lte=before).order_by("-done_on", "id")
    found = list(done[:limit]) or list(
        visits.filter(target_on__lte=before).order_by("-target_on", "id")[:limit]
    )
    if found:
        return found
    participants = Participant.objects.filter(
        study_site=site, status=ParticipantStatus.ENROLLED, enrolled_on__lte=before
    ).order_by("number")[:limit]
    return [
        record_unscheduled_visit(
            participant=participant,
            done_on=participant.enrolled_on,
            modality="on_site",
            by=demo.crm,
            note="Blood draw for the central laboratory.",
            reason="demo",
        )
        for participant in participants
    ]


def _collect(demo, site, sample_types, *, before: dt.date) -> list[str]:
    visits = _past_visits(demo, site, before, PER_SITE)
    zone = ZoneInfo(site.institution.time_zone)
    barcodes = []
    for number, visit in enumerate(visits, start=1):
        barcode = f"{site.study.code}-{site.site_number}-{number:04d}"
        services.collect_sample(
            study_site=site,
            participant=visit.participant,
            scheduled_visit=visit,
            sample_type=sample_types[number % len(sample_types)],
            barcode=barcode,
            collected_at=dt.datetime.combine(visit.done_on or visit.target_on, dt.time(9, 30), tzinfo=zone),
            by=demo.crm,
            reason="demo",
        )
        barcodes.append(barcode)
    return barcodes


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders)."""
    study = Study.objects.filter(code="ONC-301").first() or Study.objects.order_by("code").first()
    if study is None:
        return
    sites = list(study.sites.select_related("institution", "study").order_by("site_number"))
    now = timezone.now().replace(second=0, microsecond=0)
    before = demo.today - dt.timedelta(days=OLDEST_SHIPMENT_DAYS)
    abroad = [site for site in sites if site.institution.country != "US" and _has_participants(site, before)]
    if not abroad:
        return
    lab = services.create_laboratory(
        study=study,
        by=demo.crm,
        name="Central Laboratory Indianapolis",
        country="US",
        address="8211 SciCor Drive, Indianapolis, IN 46214",
        reason="demo",
    )
    services.create_laboratory(
        study=study,
        by=demo.crm,
        name="Central Laboratory Frankfurt",
        country="DE",
        address="Theodor-Stern-Kai 7, 60590 Frankfurt am Main",
        reason="demo",
    )
    serum = services.create_sample_type(
        study=study,
        by=demo.crm,
        code="SER",
        name="Serum (safety chemistry)",
        storage_min_c=Decimal("-90"),
        storage_max_c=Decimal("-60"),
        reason="demo",
    )
    plasma = services.create_sample_type(
        study=study,
        by=demo.crm,
        code="VLP",
        name="Plasma for viral load (infectious)",
        storage_min_c=Decimal("-90"),
        storage_max_c=Decimal("-60"),
        infectious=True,
        reason="demo",
    )
    site = abroad[0]
    barcodes = _collect(demo, site, [serum, plasma], before=before)
    permits = {}
    for rule in rules.required_permits(
        from_country=site.institution.country, to_country=lab.country, infectious=True
    ):
        permits[f"{rule.direction}_permit"] = services.record_permit(
            study=study,
            by=demo.crm,
            direction=rule.direction,
            from_country=site.institution.country,
            to_country=lab.country,
            authority=rule.authority[:200],
            number=f"{rule.key}-2026-0042",
            valid_from=demo.today - dt.timedelta(days=300),
            valid_until=demo.today + dt.timedelta(days=45),
            sample_type_codes=["SER", "VLP"],
            covers=f"{rule.what}; {study.code} samples for central testing",
            reason="demo",
        )
    first, second = barcodes[:4], barcodes[4:]
    shipped_at = now - dt.timedelta(days=6)
    shipment = services.ship_samples(
        study_site=site,
        laboratory=lab,
        barcodes=first,
        courier="World Courier",
        tracking_number="WC-7731-0042",
        shipped_at=shipped_at,
        by=demo.crm,
        temperature_log=_log(shipped_at, excursion=True),
        reason="demo",
        **permits,
    )
    for hours, giver, taker, where in (
        (0, f"Site {site.site_number} coordinator", "World Courier", site.institution.city),
        (20, "World Courier", "US Customs (CBP)", "Chicago O'Hare"),
        (30, "US Customs (CBP)", "World Courier", "Chicago O'Hare"),
        (44, "World Courier", "Central Laboratory Indianapolis, sample reception", "Indianapolis"),
    ):
        services.add_custody_transfer(
            shipment=shipment,
            by=demo.crm,
            handed_over_at=shipped_at + dt.timedelta(hours=hours),
            from_party=giver,
            to_party=taker,
            location=where,
            reason="demo",
        )
    # One sample never arrived, one arrived thawed: the reconciliation's discrepancies.
    received = {code: "good" for code in first[:2]} | ({first[2]: "thawed"} if len(first) > 2 else {})
    services.record_receipt(
        shipment=shipment,
        by=demo.crm,
        received=received,
        received_at=shipped_at + dt.timedelta(hours=44),
        received_by="L. Ortega, sample reception",
        receipt_condition="Dry ice partly sublimated on arrival; one tube not in the box.",
        reason="demo",
    )
    if second:
        services.ship_samples(
            study_site=site,
            laboratory=lab,
            barcodes=second[:1],
            courier="World Courier",
            tracking_number="WC-7731-0057",
            shipped_at=now - dt.timedelta(days=1),
            by=demo.crm,
            reason="demo",
            **permits,
        )
    other = next((s for s in abroad if s != site), None)
    if other is not None:
        _collect(demo, other, [serum], before=before)  # collected at a second site, waiting to ship
    demo.summary.append(f"samples: {study.code} shipment {shipment.number} received with discrepancies")


def _has_participants(site, before: dt.date) -> bool:
    enrolled = Participant.objects.filter(study_site=site, status=ParticipantStatus.ENROLLED)
    return enrolled.filter(enrolled_on__lte=before).exists()


def _log(start: dt.datetime, *, excursion: bool) -> list[dict]:
    """A logger's readings every 6 hours for two days, one above -60 °C when `excursion`."""
    readings = []
    for step in range(8):
        celsius = Decimal("-72.5") + step % 3
        if excursion and step == 6:
            celsius = Decimal("-51.0")
        at = (start + dt.timedelta(hours=6 * step)).astimezone(dt.UTC)
        readings.append({"at": at.isoformat(), "celsius": str(celsius)})
    return readings
