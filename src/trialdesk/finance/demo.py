"""The demo's finance: a budget and fee schedules for the finance person's studies, payables generated from
the demo's visits, one paid payment run, one disputed (and one approved) site invoice, a CRO contract,
weekly reference rates for the sites paid in another currency, and one study over budget (CARD-201).

The finance person drafts the payment run and enters the invoices; the CRM approves the run and decides
the invoices (nobody approves their own: finance.services.duties)."""

import datetime as dt
from decimal import Decimal

from trialdesk.core.demo import DEMO_PASSWORD, DemoContext
from trialdesk.finance.models import PayableLine
from trialdesk.finance.services import budgets, invoices, payables, payments, vendors
from trialdesk.sites.models import StudySite
from trialdesk.visits.models import VisitDefinition

STUDIES = ("ONC-301", "CARD-201", "DEV-401")
OVER_BUDGET = "CARD-201"
CONTRACT_BEFORE_ACTIVATION = dt.timedelta(days=40)
# The currency a demo site is paid in, by its institution's country (others: the study's).
COUNTRY_CURRENCY = {"US": "USD", "GB": "GBP", "JP": "JPY", "CA": "CAD", "CH": "CHF", "AU": "AUD"}
# Roughly the euro reference rates of 2024-25, drifting a little week by week.
EUR_RATES = {"USD": Decimal("1.08"), "GBP": Decimal("0.85"), "JPY": Decimal("162"), "CAD": Decimal("1.47"),
             "CHF": Decimal("0.95"), "AUD": Decimal("1.64")}  # fmt: skip


def load(demo: DemoContext) -> None:
    finance = demo.users.get("finance") or demo.crm
    rng = demo.rng("finance")
    studies = demo.made["studies"]
    for code in STUDIES:
        if code in studies:
            _study(demo, studies[code], finance, rng)
    for code, study in sorted(studies.items()):
        if code not in STUDIES:
            _executed_contracts(demo, study)
    demo.summary.append(f"budgets and payables for {', '.join(c for c in STUDIES if c in studies)}")


def _executed_contracts(demo, study) -> None:
    """A study without a demo budget still has each activated site's executed clinical trial agreement:
    its fee schedule, effective 40 days before activation (before the ethics approval: regulatory.demo),
    so the start-up cycle times run selection → contract → ethics → activation."""
    sites = StudySite.objects.filter(study=study, activated_on__isnull=False).select_related("institution")
    for site in sites.order_by("site_number"):
        currency = COUNTRY_CURRENCY.get(site.institution.country, "EUR")
        factor = EUR_RATES.get(currency, Decimal(1))
        budgets.create_fee_schedule(
            study_site=site,
            by=demo.admin,
            effective_on=site.activated_on - CONTRACT_BEFORE_ACTIVATION,
            currency=currency,
            payment_terms_days=45,
            startup_fee=_price(5000, factor, currency),
            closeout_fee=_price(2500, factor, currency),
            reason="demo: the site's executed clinical trial agreement",
        )


def _approver(demo, finance):
    """Who approves the finance person's runs and decides the invoices they enter: the CRM (or, where the
    CRM stands in for a missing finance person, the administrator)."""
    return demo.admin if finance.pk == demo.crm.pk else demo.crm


def _study(demo, study, finance, rng) -> None:
    sites = list(StudySite.objects.filter(study=study).select_related("institution").order_by("site_number"))
    start = study.created_at.date() if study.created_at else demo.today
    start = min([start, *(s.activated_on for s in sites if s.activated_on)]) - CONTRACT_BEFORE_ACTIVATION
    currencies = {COUNTRY_CURRENCY.get(s.institution.country, "EUR") for s in sites} - {"EUR"}
    _weekly_rates(demo, finance, currencies, start)
    codes = sorted(
        set(VisitDefinition.objects.filter(protocol_version__study=study).values_list("code", flat=True))
    )
    per_participant = Decimal(0)
    for site in sites:
        currency = COUNTRY_CURRENCY.get(site.institution.country, "EUR")
        factor = EUR_RATES.get(currency, Decimal(1))
        fees = {code: _price(rng.randint(300, 1400), factor, currency) for code in codes}
        per_participant = max(per_participant, sum(Decimal(f) for f in fees.values()) / factor)
        budgets.create_fee_schedule(
            study_site=site,
            by=finance,
            # the site's agreement executed before its ethics approval (regulatory.demo) and activation
            effective_on=site.activated_on - CONTRACT_BEFORE_ACTIVATION if site.activated_on else start,
            currency=currency,
            overhead_percent=Decimal(20),
            holdback_percent=Decimal(10),
            payment_terms_days=45,
            startup_fee=_price(5000, factor, currency),
            closeout_fee=_price(2500, factor, currency),
            screen_failure_fee=_price(250, factor, currency),
            screen_failure_max_paid=5,
            visit_fees=fees,
            procedure_fees={"MRI": _price(800, factor, currency)},
            invoiceable={"ETHICS": _price(1500, factor, currency), "PHARMACY": None},
        )
    planned = Decimal(study.planned_enrollment) * per_participant * Decimal("1.2")
    sites_budget = planned + len(sites) * Decimal(9000)
    if study.code == OVER_BUDGET:
        sites_budget = sites_budget * Decimal("0.55")  # the demo's study over budget
    budgets.save_budget_version(
        study=study, by=finance, currency="EUR", effective_on=start,
        amounts={"sites": sites_budget.quantize(Decimal(1)), "vendors": Decimal(400000),
                 "pass_through": Decimal(60000),
                 "ip": Decimal(150000), "monitoring_travel": Decimal(80000), "other": Decimal(25000)},
    )  # fmt: skip
    _contract(demo, study, finance)
    _invoices(demo, sites, finance)
    payables.generate_payables(study=study, by=finance, reason="demo: payables from the visits done")
    _paid_run(demo, sites, finance)


def _price(amount: int, factor: Decimal, currency: str) -> str:
    value = Decimal(amount) * factor
    return f"{value.quantize(Decimal(1) if currency == 'JPY' else Decimal('0.01')):f}"


def _weekly_rates(demo, finance, currencies, start) -> None:
    from trialdesk.finance.models import ExchangeRate

    day = start
    while day <= demo.today:
        for index, currency in enumerate(sorted(currencies)):
            if not ExchangeRate.objects.filter(base="EUR", quote=currency, on=day).exists():
                drift = Decimal(1) + Decimal(((day.toordinal() // 7 + index) % 9) - 4) / Decimal(400)
                budgets.create_exchange_rate(
                    by=finance,
                    base="EUR",
                    quote=currency,
                    on=day,
                    rate=EUR_RATES[currency] * drift,
                    source="demo rates (weekly)",
                )
        day += dt.timedelta(days=7)


def _contract(demo, study, finance) -> None:
    contract = vendors.create_contract(
        study=study,
        by=finance,
        vendor="Helix Clinical Services",
        service="cro",
        reference=f"{study.code}-CRO-01",
        scope="Monitoring, data management and medical writing",
        currency="EUR",
        value=Decimal(320000),
        start_on=demo.today - dt.timedelta(days=400),
    )
    first = vendors.add_milestone(
        contract=contract,
        by=finance,
        name="Database set-up",
        deliverable="eCRF live",
        amount=Decimal(40000),
        due_on=demo.today - dt.timedelta(days=300),
    )
    vendors.deliver_milestone(milestone=first, by=finance, delivered_on=demo.today - dt.timedelta(days=290))
    vendors.add_milestone(
        contract=contract,
        by=finance,
        name="Last participant in",
        deliverable="all sites closed to enrollment",
        amount=Decimal(60000),
        due_on=demo.today + dt.timedelta(days=200),
    )
    vendors.add_change_order(
        contract=contract,
        by=finance,
        number="CO-1",
        amount=Decimal(25000),
        reason="Two more sites to monitor",
        approved_on=demo.today - dt.timedelta(days=120),
    )
    vendors.add_indicator(
        contract=contract,
        by=finance,
        name="Query turnaround",
        unit="days",
        target=5,
        actual=Decimal("6.5"),
        higher_is_better=False,
    )
    invoice = vendors.submit_vendor_invoice(
        contract=contract,
        by=finance,
        number="HX-1001",
        invoice_on=demo.today - dt.timedelta(days=280),
        amount=Decimal(40000),
        milestone=first,
    )
    vendors.decide_vendor_invoice(invoice=invoice, by=_approver(demo, finance), decision="approved")


def _invoices(demo, sites, finance) -> None:
    active = [s for s in sites if s.activated_on]
    if not active:
        return
    site = active[0]
    schedule_currency = COUNTRY_CURRENCY.get(site.institution.country, "EUR")
    approved = invoices.submit_site_invoice(
        study_site=site, by=finance, number=f"INV-{site.site_number}-001", item_code="ETHICS",
        invoice_on=max(site.activated_on, demo.today - dt.timedelta(days=90)),
        amount=_price(1500, EUR_RATES.get(schedule_currency, Decimal(1)), schedule_currency),
    )  # fmt: skip
    invoices.decide_site_invoice(invoice=approved, by=_approver(demo, finance), decision="approved")
    disputed = invoices.submit_site_invoice(
        study_site=site,
        by=finance,
        number=f"INV-{site.site_number}-002",
        item_code="PHARMACY",
        invoice_on=demo.last_actual_day - dt.timedelta(days=10),
        amount="2350.00",
        description="Pharmacy set-up",
    )
    invoices.decide_site_invoice(
        invoice=disputed,
        by=_approver(demo, finance),
        decision="disputed",
        reason="The agreement pays pharmacy set-up once; this was invoiced on INV-"
        + site.site_number
        + "-001 too.",
    )


def _paid_run(demo, sites, finance) -> None:
    cutoff = demo.today - dt.timedelta(days=60)
    for site in sites:
        lines = list(
            PayableLine.objects.filter(
                study_site=site, payment_run__isnull=True, earned_on__lte=cutoff
            ).values_list("pk", flat=True)
        )
        if not lines:
            continue
        run = payments.create_payment_run(
            study_site=site, line_ids=lines, by=finance, note="demo: first payment"
        )
        run = payments.approve_payment_run(run=run, by=_approver(demo, finance), password=DEMO_PASSWORD)
        payments.mark_run_paid(
            run=run,
            by=finance,
            paid_on=site.local_today(),
            payment_reference=f"SEPA-{site.site_number}-{demo.today:%Y%m}",
        )
        return
