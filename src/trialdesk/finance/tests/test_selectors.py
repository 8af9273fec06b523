"""Finance reads: the overview's sums of the payable lines (`selectors.line_summary`, from the per-site,
per-month PayableMonth rows that generation and payment runs keep) give the same figures as adding the
lines up one by one, with lines paid, unpaid, in a cancelled or a draft run, and reversed."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from trialdesk.finance import estimates, selectors
from trialdesk.finance.models import PayableLine, RunStatus
from trialdesk.finance.rules import earnings, forecast, money
from trialdesk.finance.services import budgets, payments
from trialdesk.finance.tests import factories
from trialdesk.visits import services as visit_services

SITE_FIGURES = ("earned", "holdback_held", "payable", "paid", "unpaid", "overdue", "overdue_lines")


@pytest.fixture
def every_kind_of_line(world, finance):
    """Site 101: its visit paid, then the visit's date corrected (a reversal and a new line, unpaid), an
    approved ethics invoice (pass-through) in a draft run, an MRI unpaid and overdue; site 102 (JPY): its
    lines in a cancelled run (unpaid again)."""
    admin = world.admin
    factories.approved_invoice(world.site_a1, by=admin, decider=world.crm)
    budgets.record_procedure(
        participant=finance.participant_a1, by=admin, code="MRI", done_on=dt.date(2025, 3, 10)
    )
    factories.generate(world.study_a, by=admin)
    factories.paid_run(world.site_a1, by=admin, approver=world.crm, password=factories.PASSWORD)
    visit_services.record_visit(
        scheduled_visit=finance.visit_a1,
        done_on=dt.date(2025, 3, 18),
        modality="on_site",
        by=admin,
        reason="date typed wrong",
    )
    factories.generate(world.study_a, by=admin)
    invoice_lines = world.site_a1.payable_lines.filter(kind=earnings.INVOICE).values_list("pk", flat=True)
    payments.create_payment_run(study_site=world.site_a1, line_ids=list(invoice_lines), by=admin)
    run = payments.create_payment_run(
        study_site=world.site_a2,
        line_ids=list(world.site_a2.payable_lines.values_list("pk", flat=True)),
        by=admin,
    )
    payments.cancel_payment_run(run=run, by=admin, reason="wrong bank details")
    return world


def added_up(study, today: dt.date):
    """The figures worked out line by line, the plain way: (per site, earned by month, paid by month,
    earned by kind)."""
    sites = defaultdict(lambda: defaultdict(Decimal))
    earned_by_month, paid_by_month, by_kind = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    days = defaultdict(list)
    for line in PayableLine.objects.filter(study=study).select_related("payment_run"):
        status = line.payment_run.status if line.payment_run else None
        site = sites[line.study_site_id]
        site["earned"] += line.fee + line.overhead
        site["holdback_held"] += line.holdback
        site["payable"] += line.payable
        site["study_earned"] += line.study_earned
        earned_by_month[line.earned_on.replace(day=1)] += line.study_earned
        by_kind[line.kind] += line.study_earned
        if status == RunStatus.PAID:
            site["paid"] += line.payable
            site["study_paid"] += line.study_payable
            paid_by_month[line.payment_run.paid_on.replace(day=1)] += line.study_payable
            if line.payable > 0 and line.reverses_id is None:
                days[line.study_site_id].append((line.payment_run.paid_on - line.earned_on).days)
        elif status in (None, RunStatus.CANCELLED):
            site["unpaid"] += line.payable
            if line.due_on < today and line.payable > 0:
                site["overdue"] += line.payable
                site["overdue_lines"] += 1
    for site_id, waits in days.items():
        sites[site_id]["mean_days_to_pay"] = round(sum(waits) / len(waits), 1)
    return sites, earned_by_month, paid_by_month, by_kind


def test_one_scan_gives_the_figures_of_adding_up_each_line(every_kind_of_line, django_assert_num_queries):
    world = every_kind_of_line
    today = timezone.localdate()
    with django_assert_num_queries(2):
        summary = selectors.line_summary(world.study_a, today)
    sites, earned_by_month, paid_by_month, by_kind = added_up(world.study_a, today)
    assert set(summary.sites) == set(sites) == {world.site_a1.pk, world.site_a2.pk}
    for site_id, expected in sites.items():
        found = summary.sites[site_id]
        for name in SITE_FIGURES + ("study_earned", "study_paid"):
            assert getattr(found, name) == expected[name], (site_id, name)
        assert found.mean_days_to_pay == expected.get("mean_days_to_pay")
    assert summary.earned_by_month == earned_by_month
    assert summary.paid_by_month == paid_by_month
    assert summary.earned_by_kind == by_kind


def test_the_example_covers_paid_unpaid_cancelled_draft_reversed_and_overdue(every_kind_of_line):
    world = every_kind_of_line
    a1 = selectors.line_summary(world.study_a, timezone.localdate()).sites[world.site_a1.pk]
    a2 = selectors.line_summary(world.study_a, timezone.localdate()).sites[world.site_a2.pk]
    assert a1.paid == Decimal("1350.00") and a1.mean_days_to_pay is not None
    # Unpaid at 101: the reversal (-1350), the corrected visit (1350), the MRI (900) and the start-up fee.
    assert a1.unpaid == Decimal("900.00") + Decimal("5000.00") and a1.overdue_lines == 2
    # The ethics invoice (1500) is in a draft run: in what is payable, neither paid nor unpaid.
    assert a1.payable == a1.paid + a1.unpaid + Decimal("1500.00")
    # 102's lines went back to unpaid when their run was cancelled; yen have no minor unit.
    assert (a2.currency, a2.paid, a2.unpaid) == ("JPY", 0, a2.payable)
    assert PayableLine.objects.filter(reverses__isnull=False).count() == 1


def test_the_overview_takes_spend_burn_and_sites_from_the_one_scan(every_kind_of_line):
    world = every_kind_of_line
    today = timezone.localdate()
    figures = estimates.study_finance(world.study_a, today)
    sites, earned_by_month, paid_by_month, by_kind = added_up(world.study_a, today)
    pass_through = by_kind.pop(earnings.INVOICE)
    assert figures.spent_by_category["pass_through"] == money.rounded(pass_through, "EUR")
    assert figures.spent_by_category["sites"] == money.rounded(sum(by_kind.values()), "EUR")
    assert figures.burn == forecast.monthly_burn(earned_by_month.items(), paid_by_month.items())
    assert [row.site_number for row in figures.sites] == ["101", "102"]
    assert [row.paid for row in figures.sites] == [sites[world.site_a1.pk]["paid"], 0]


def test_a_site_panel_counts_its_own_lines_only(every_kind_of_line):
    world = every_kind_of_line
    today = timezone.localdate()
    alone = selectors.site_totals(world.study_a, today, site_ids=[world.site_a2.pk])
    assert list(alone) == [world.site_a2.pk]
    assert alone[world.site_a2.pk] == selectors.line_summary(world.study_a, today).sites[world.site_a2.pk]


def test_the_schedule_in_effect_is_the_latest_started_else_the_next_to_start(world):
    """A site whose agreement was amended pays by the amendment once it starts; a site whose only
    schedules start later is forecast with the first of them."""
    today = timezone.localdate()
    soon, later = today + dt.timedelta(days=30), today + dt.timedelta(days=60)
    schedules = {
        world.site_a1: (dt.date(2025, 1, 1), dt.date(2025, 6, 1), soon),
        world.site_a2: (later, soon),  # entered out of order
    }
    for site, days in schedules.items():
        for effective_on in days:
            factories.make_schedule(site, by=world.admin, effective_on=effective_on)
    found = estimates._current_schedules(world.study_a, today)
    assert found[world.site_a1.pk].effective_on == dt.date(2025, 6, 1)
    assert found[world.site_a2.pk].effective_on == soon


def test_a_site_paid_in_two_currencies_keeps_each_currencys_totals_apart():
    """A new fee schedule in another currency: the site's own-currency figures cannot be added up, so they
    are kept and shown per currency; the study-currency figures and the counts add up."""
    euros = selectors.SiteTotals(
        site_id=7, currency="EUR", earned=Decimal("100.00"), overdue_lines=1, study_earned=Decimal("100")
    )
    pounds = selectors.SiteTotals(
        site_id=7, currency="GBP", earned=Decimal("50.00"), overdue_lines=2, study_earned=Decimal("58.5")
    )
    alone = selectors.SiteTotals(site_id=8, currency="JPY", earned=Decimal("900"))
    found = selectors._per_site({(7, "EUR"): euros, (7, "GBP"): pounds, (8, "JPY"): alone})
    mixed = found[7]
    assert mixed.parts == {"EUR": euros, "GBP": pounds} and mixed.currency == ""
    assert mixed.study_earned == Decimal("158.5") and mixed.overdue_lines == 3
    both = (money.shown(Decimal("100.00"), "EUR"), money.shown(Decimal("50.00"), "GBP"))
    assert mixed.shown("earned") == " + ".join(both)
    assert found[8] is alone and found[8].shown("earned") == money.shown(Decimal("900"), "JPY")
