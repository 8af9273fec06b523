"""The supply part of the demo, in ONC-301 (blinded, arms A and B): one product with a kit type per arm,
two lots (one expiring within the forecast's horizon), a depot with kits, the kits the first treatment
visits dispense, shipments received at two activated sites, one in transit to site 101 (the demo
`coordinator` confirms it in "my work"), one received at a third site with a temperature excursion awaiting
the supply manager's decision (`supply` login), and kits dispensed to two participants randomized for it.
"""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.randomization import services as randomization
from trialdesk.randomization.models import Allocation, RandomizationScheme
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant, ParticipantStatus
from trialdesk.supply import rules, services
from trialdesk.visits.services import schedule

KITS_PER_TYPE = 24
WARM_LOG = "time,temperature_c\n2026-01-01T08:00Z,21.5\n2026-01-01T14:00Z,31.0\n2026-01-01T20:00Z,24.0\n"
COOL_LOG = "time,temperature_c\n2026-01-01T08:00Z,19.0\n2026-01-01T20:00Z,22.5\n"


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders)."""
    study = Study.objects.filter(code="ONC-301").first()
    if study is None or study.arms.count() < 2:
        return
    by = demo.crm
    today = demo.last_actual_day
    depot = _set_up(study, by=by, today=today)
    sites = [s for s in study.sites.order_by("site_number") if s.status in rules.RECEIVING_SITE_STATUSES][:3]
    if not sites:
        return
    received = []
    for site, log in zip(sites, (COOL_LOG, COOL_LOG, WARM_LOG), strict=False):
        shipment = services.ship_to_site(
            study=study, by=by, depot=depot, study_site=site, kits={"KT-A": 4, "KT-B": 4},
            shipped_on=today - dt.timedelta(days=20), courier="MediCourier",
            tracking_number=f"MC{site.pk:08d}",
        )  # fmt: skip
        received.append(
            services.confirm_receipt(
                shipment=shipment,
                by=by,
                received_on=today - dt.timedelta(days=18),
                kits_received=8,
                temperature_log=log,
                temperature_log_name=f"logger-{shipment.number}.csv",
            )  # fmt: skip
        )
    services.ship_to_site(
        study=study, by=by, depot=depot, study_site=sites[0], kits={"KT-A": 2, "KT-B": 2},
        shipped_on=today - dt.timedelta(days=1), courier="MediCourier", tracking_number="MC-IN-TRANSIT",
    )  # fmt: skip
    dispensed = _dispense(study, sites[0], by=by, today=today)
    demo.summary.append(
        f"IP: {len(received) + 1} shipments, {dispensed} kits dispensed, "
        f"{len(received[2:])} temperature excursion(s) awaiting a decision"
    )


def _set_up(study: Study, *, by, today: dt.date):
    product = services.create_product(
        study=study, by=by, code="HLX-101", name="Velotinib 80 mg or placebo tablets (blinded)",
        storage_min_c=15, storage_max_c=25,
    )  # fmt: skip
    arms = {arm.code: arm for arm in study.arms.all()}
    kit_types = {
        code: services.create_kit_type(
            study=study,
            by=by,
            product=product,
            code=f"KT-{code}",
            name="Bottle of 30 tablets",
            units_per_kit=30,
            arm=arms[code],
        )  # fmt: skip
        for code in ("A", "B")
    }
    soon = services.create_lot(
        study=study, by=by, product=product, number="L2401", expires_on=today + dt.timedelta(days=45)
    )
    later = services.create_lot(
        study=study, by=by, product=product, number="L2402", expires_on=today + dt.timedelta(days=400)
    )
    depot = services.create_depot(study=study, by=by, name="Central depot Frankfurt", country="DE")
    for code, kit_type in kit_types.items():
        for lot, count in ((soon, KITS_PER_TYPE // 3), (later, KITS_PER_TYPE - KITS_PER_TYPE // 3)):
            numbers = [f"{lot.number}-{code}{n:03d}" for n in range(1, count + 1)]
            services.register_kits(
                study=study, by=by, depot=depot, lot=lot, kit_type=kit_type, numbers=numbers
            )
    _dispensing_visits(study, by=by)
    return depot


def _dispensing_visits(study: Study, *, by) -> None:
    """One kit at each of the first three treatment visits on or after day 0 of the latest effective
    protocol; where the demo study has no schedule yet, three cycles 21 days apart are added to it."""
    version = study.protocol_versions.filter(status="effective").order_by("-id").first()
    if version is None:
        return
    definitions = list(
        version.visit_definitions.filter(day_offset__gte=0).order_by("order", "day_offset")[:3]
    )
    if not definitions:
        definitions = [
            schedule.create_visit_definition(
                protocol_version=version,
                by=by,
                code=f"C{cycle}D1",
                name=f"Cycle {cycle} day 1",
                visit_type="treatment",
                day_offset=21 * (cycle - 1),
                window_before_days=2,
                window_after_days=2,
                modalities=["on_site"],
                order=cycle,
            )  # fmt: skip
            for cycle in (1, 2, 3)
        ]
    for definition in definitions:
        services.set_visit_dispensing(study=study, by=by, visit_definition=definition, kits=1)


def _dispense(study: Study, site, *, by, today: dt.date) -> int:
    """Randomize two enrolled participants of the site (a permuted-block scheme, made here when the study
    has none) and dispense each the kit the system allocates."""
    scheme = RandomizationScheme.objects.filter(study=study).first()
    if scheme is None:
        scheme = randomization.create_scheme(
            study=study, by=by, method="permuted_blocks", arms=["A", "B"], factors=[], block_sizes=[2, 4],
            per_stratum=200, seed=301,
        )  # fmt: skip
        scheme = randomization.activate_scheme(scheme=scheme, by=by)
    randomized = set(Allocation.objects.filter(study=study).values_list("participant_id", flat=True))
    candidates = Participant.objects.filter(study_site=site, status=ParticipantStatus.ENROLLED).exclude(
        pk__in=randomized
    )
    dispensed = 0
    for participant in candidates.order_by("number")[:2]:
        randomization.randomize(participant=participant, factor_levels={}, by=by)
        services.dispense_kit(participant=participant, by=by, dispensed_on=today - dt.timedelta(days=10))
        dispensed += 1
    return dispensed
