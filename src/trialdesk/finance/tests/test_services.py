"""Finance writes: payables generated from the work done (idempotent, corrections as reversals, bulk audit
events the drift check accepts), payment runs, invoices, and bad input refused naming the field with
nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.writes import nothing_written
from trialdesk.core.audit import drift
from trialdesk.core.models import AuditEvent
from trialdesk.finance.models import PayableLine, RunStatus
from trialdesk.finance.services import budgets, duties, invoices, payables, payments, vendors
from trialdesk.finance.tests import factories
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.tests.factories import make_screening_entry
from trialdesk.visits import services as visit_services

PASSWORD = factories.PASSWORD


def lines(site, kind="visit"):
    return list(PayableLine.objects.filter(study_site=site, kind=kind).order_by("id"))


def test_a_completed_visit_earns_its_fee_once(world, finance):
    report = factories.generate(world.study_a, by=world.admin)
    (line,) = lines(world.site_a1)
    assert (line.kind, line.code, line.participant, line.earned_on) == (
        "visit",
        "W2",
        "101-001",
        dt.date(2025, 3, 17),
    )
    # 1200 + 25 % overhead = 1500, holdback 10 % = 150, payable 1350; due 30 days after.
    assert (line.fee, line.overhead, line.holdback, line.payable) == (1200, 300, 150, 1350)
    assert line.due_on == dt.date(2025, 4, 16)
    assert report.reversals == 0
    count = PayableLine.objects.count()
    again = factories.generate(world.study_a, by=world.admin)
    assert again.lines_added == 0 and PayableLine.objects.count() == count


def test_money_earned_in_yen_is_converted_at_the_rate_of_the_day_earned(world, finance):
    factories.generate(world.study_a, by=world.admin)
    (line,) = lines(world.site_a2)
    # 150,000 + 25 % = 187,500 JPY, payable 168,750 JPY; Monday 2025-03-17 uses Friday 14th's 160 JPY/EUR.
    assert (line.currency, line.payable) == ("JPY", 168750)
    assert (line.rate_on, line.study_currency) == (dt.date(2025, 3, 14), "EUR")
    assert line.study_payable == Decimal("1054.69")  # 168,750 / 160 = 1,054.6875, half up
    assert line.study_earned == Decimal("1171.88")  # 187,500 / 160 = 1,171.875


def test_a_missing_rate_refuses_the_whole_generation_naming_it(world, finance):
    from trialdesk.finance.models import ExchangeRate

    ExchangeRate.objects.filter(on=dt.date(2025, 3, 14)).delete()
    with nothing_written(), pytest.raises(ValidationError) as refused:
        factories.generate(world.study_a, by=world.admin)
    assert "No exchange rate JPY → EUR on 2025-03-17" in refused.value.message_dict["exchange_rate"][0]


def test_a_corrected_visit_is_reversed_and_earned_again_never_edited(world, finance):
    factories.generate(world.study_a, by=world.admin)
    factories.paid_run(world.site_a1, by=world.admin, approver=world.crm, password=PASSWORD)
    visit_services.record_visit(
        scheduled_visit=finance.visit_a1,
        done_on=dt.date(2025, 3, 18),
        modality="on_site",
        by=world.admin,
        reason="date typed wrong",
    )
    report = factories.generate(world.study_a, by=world.admin)
    paid, reversal, new = lines(world.site_a1)
    assert paid.payment_run.status == RunStatus.PAID and paid.payable == 1350  # untouched
    assert (reversal.reverses_id, reversal.payable, reversal.payment_run_id) == (paid.pk, -1350, None)
    assert (new.earned_on, new.payable, new.reverses_id) == (dt.date(2025, 3, 18), 1350, None)
    assert report.reversals == 1 and report.lines_added == 2
    assert factories.generate(world.study_a, by=world.admin).lines_added == 0


def test_correcting_a_fee_schedule_reprices_the_work_it_covers(world, finance):
    factories.generate(world.study_a, by=world.admin)
    schedule = world.site_a1.fee_schedules.get()
    budgets.update_fee_schedule(
        schedule=schedule,
        by=world.admin,
        changes={"visit_fees": {**factories.FEES, "W2": "1000"}},
        reason="typo",
    )
    factories.generate(world.study_a, by=world.admin)
    assert [line.payable for line in lines(world.site_a1)] == [1350, -1350, 1125]


def test_generation_writes_one_audit_event_per_site_that_the_drift_check_accepts(world, finance):
    before = AuditEvent.objects.count()
    factories.generate(world.study_a, by=world.admin)
    events = AuditEvent.objects.filter(id__gt=0).order_by("-id")[: AuditEvent.objects.count() - before]
    assert {e.action for e in events} == {"payableline.bulk_generated"}
    assert {e.study_site_id for e in events} == {world.site_a1.pk, world.site_a2.pk}
    report = drift.check_records()
    assert not [p for p in report.problems if "payable" in p.lower()], report.problems


def test_screen_failures_beyond_the_cap_earn_nothing_and_a_revised_outcome_is_reversed(world, finance):
    entries = []
    for number in ("S-1", "S-2", "S-3"):
        entry = make_screening_entry(world.site_a1, number, by=world.admin)
        entries.append(
            subject_services.update_screening_entry(
                screening_entry=entry,
                by=world.admin,
                reason="screen failure",
                changes={"outcome": "failed", "failure_reason": "exclusion_met", "failure_detail": "E2"},
            )
        )
    factories.generate(world.study_a, by=world.admin)
    failures = PayableLine.objects.filter(kind="screen_failure").order_by("earned_on", "participant")
    assert [line.fee for line in failures] == [300, 300, 0]  # the cap is 2
    subject_services.update_screening_entry(
        screening_entry=entries[0],
        by=world.admin,
        reason="eligible after all",
        changes={"outcome": "passed", "failure_reason": "", "failure_detail": ""},
    )
    factories.generate(world.study_a, by=world.admin)
    standing = {
        line.participant: line.payable
        for line in PayableLine.objects.filter(
            kind="screen_failure", reverses__isnull=True, reversals__isnull=True
        )
    }
    assert standing == {"S-2": Decimal("337.50"), "S-3": Decimal("337.50")}  # S-3 is now within the cap


def test_a_payment_run_refuses_a_line_already_paid(world, finance):
    factories.generate(world.study_a, by=world.admin)
    run = factories.paid_run(world.site_a1, by=world.admin, approver=world.crm, password=PASSWORD)
    line = run.lines.get()
    with nothing_written(), pytest.raises(ValidationError) as refused:
        payments.create_payment_run(study_site=world.site_a1, line_ids=[line.pk], by=world.admin)
    assert refused.value.message_dict["lines"] == [f"Line #{line.pk} is already paid {run.number}."]
    with nothing_written(), pytest.raises(ValidationError) as refused:
        payments.create_payment_run(study_site=world.site_a2, line_ids=[line.pk], by=world.admin)
    assert "another site's" in refused.value.message_dict["lines"][0]


def test_approving_needs_the_approvers_password_and_paying_a_reference(world, finance):
    factories.generate(world.study_a, by=world.admin)
    run = payments.create_payment_run(
        study_site=world.site_a1, line_ids=[lines(world.site_a1)[0].pk], by=world.admin
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        payments.approve_payment_run(run=run, by=world.crm, password="wrong")
    assert "password" in refused.value.message_dict
    run = payments.approve_payment_run(run=run, by=world.crm, password=PASSWORD)
    assert run.approved_by == world.crm and run.signature_meaning
    with nothing_written(), pytest.raises(ValidationError) as refused:
        payments.mark_run_paid(
            run=run, by=world.admin, paid_on=world.site_a1.local_today(), payment_reference=" "
        )
    assert "payment_reference" in refused.value.message_dict


def test_an_invoice_for_an_item_not_in_the_schedule_is_refused(world, finance):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        invoices.submit_site_invoice(
            study_site=world.site_a1,
            by=world.admin,
            number="X1",
            item_code="CATERING",
            invoice_on=dt.date(2025, 3, 5),
            amount="10",
        )
    assert "CATERING is not in the site's fee schedule" in refused.value.message_dict["item_code"][0]


def test_a_disputed_invoice_says_why_and_earns_nothing_an_approved_one_earns_at_cost(world, finance):
    courier = invoices.submit_site_invoice(
        study_site=world.site_a1,
        by=world.admin,
        number="C1",
        item_code="COURIER",
        invoice_on=dt.date(2025, 3, 5),
        amount="87.345",
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        invoices.decide_site_invoice(invoice=courier, by=world.crm, decision="disputed")
    assert "reason" in refused.value.message_dict
    invoices.decide_site_invoice(invoice=courier, by=world.crm, decision="approved")
    factories.generate(world.study_a, by=world.admin)
    line = PayableLine.objects.get(kind="invoice")
    assert (line.fee, line.overhead, line.holdback, line.payable) == (
        Decimal("87.35"),
        0,
        0,
        Decimal("87.35"),
    )


@pytest.mark.parametrize(
    "values, field",
    [
        ({"visit_fees": {"W2": "-5"}}, "visit_fees"),
        ({"holdback_percent": Decimal(120)}, "holdback_percent"),
        ({"currency": "EURO"}, "currency"),
        ({"startup_fee": Decimal(-1)}, "startup_fee"),
    ],
)
def test_bad_fee_schedules_name_the_field_and_save_nothing(world, values, field):
    factories.make_budget(world.study_a, by=world.admin)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        factories.make_schedule(world.site_a1, by=world.admin, **values)
    assert field in refused.value.message_dict


def test_only_finance_managers_generate_or_pay(world, finance):
    for person in (world.monitor, world.sponsor_viewer, world.auditor, world.coordinator):
        with pytest.raises(PermissionDenied):
            payables.generate_payables(study=world.study_a, by=person)


def test_without_a_budget_there_is_no_study_currency_to_convert_to(world):
    factories.make_schedule(world.site_b1, by=world.admin)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        factories.generate(world.study_b, by=world.admin)
    assert "budget" in refused.value.message_dict


def test_rates_import_all_or_nothing_with_a_line_per_bad_row(world):
    from trialdesk.interop import tabular

    good = tabular.read_csv(b"Date,USD,JPY\n2025-03-14,1.0852,160.5\n2025-03-17,1.09,N/A\n", "eurofxref.csv")
    added, known = budgets.import_rates(by=world.admin, table=good)
    assert (added, known) == (3, 0)
    rows = b"Date,Base,Quote,Rate\n2025-03-18,EUR,USD,1.1\n2025-03-19,EUR,XYZ,1\n2025-03-20,EUR,USD,-1\n"
    bad = tabular.read_csv(rows, "r.csv")
    with nothing_written(), pytest.raises(ValidationError) as refused:
        budgets.import_rates(by=world.admin, table=bad)
    assert refused.value.message_dict["file"] == [
        "r.csv row 3, column Quote: XYZ is not an ISO 4217 currency code; "
        "use a code such as EUR, USD, GBP or JPY.",
        "r.csv row 4, column Rate: An amount cannot be negative.",
    ]


def test_whoever_drafted_a_run_cannot_approve_it(world, finance):
    """Segregation of duties: the approval is a second person's electronic signature."""
    factories.generate(world.study_a, by=world.admin)
    run = payments.create_payment_run(
        study_site=world.site_a1, line_ids=[lines(world.site_a1)[0].pk], by=world.crm
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        payments.approve_payment_run(run=run, by=world.crm, password=PASSWORD)
    assert refused.value.message_dict == {"approved_by": [duties.OWN_RUN]}
    colleague = factories.finance_person(world)
    run = payments.approve_payment_run(run=run, by=colleague, password=PASSWORD)
    assert run.approved_by == colleague
    # Marking it paid is not a second approval: the one who drafted it may record the payment.
    paid = payments.mark_run_paid(
        run=run, by=world.crm, paid_on=world.site_a1.local_today(), payment_reference="SEPA-2"
    )
    assert paid.status == RunStatus.PAID


@pytest.mark.parametrize("decision, reason", [("approved", ""), ("disputed", "charged twice")])
def test_whoever_entered_a_site_invoice_cannot_decide_it(world, finance, decision, reason):
    invoice = invoices.submit_site_invoice(
        study_site=world.site_a1,
        by=world.crm,
        number="E-1",
        item_code="ETHICS",
        invoice_on=dt.date(2025, 3, 5),
        amount="1500",
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        invoices.decide_site_invoice(invoice=invoice, by=world.crm, decision=decision, reason=reason)
    assert refused.value.message_dict == {"decision": [duties.OWN_INVOICE]}
    decided = invoices.decide_site_invoice(invoice=invoice, by=world.admin, decision=decision, reason=reason)
    assert decided.status == decision


def test_an_invoice_the_site_entered_is_decided_by_finance(world, finance):
    coordinator = factories.coordinator_at(world.site_a1, by=world.admin)
    invoice = invoices.submit_site_invoice(
        study_site=world.site_a1,
        by=coordinator,
        number="E-2",
        item_code="ETHICS",
        invoice_on=dt.date(2025, 3, 5),
        amount="1500",
    )
    decided = invoices.decide_site_invoice(invoice=invoice, by=world.crm, decision="approved")
    assert decided.status == "approved"


def test_whoever_entered_a_vendor_invoice_cannot_decide_it(world):
    contract = vendors.create_contract(
        study=world.study_a,
        by=world.crm,
        vendor="Helix CRO",
        service="cro",
        currency="EUR",
        value="100000",
        start_on=dt.date(2025, 1, 1),
    )
    invoice = vendors.submit_vendor_invoice(
        contract=contract, by=world.crm, number="HX-1", invoice_on=dt.date(2025, 6, 2), amount="10000"
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        vendors.decide_vendor_invoice(invoice=invoice, by=world.crm, decision="approved")
    assert refused.value.message_dict == {"decision": [duties.OWN_INVOICE]}
    assert (
        vendors.decide_vendor_invoice(invoice=invoice, by=world.admin, decision="approved").status
        == "approved"
    )


def test_one_generation_of_a_study_runs_at_a_time(world, finance):
    """The nightly run and the button at once must not both add the same work: on PostgreSQL the study's
    row is locked first (SQLite's IMMEDIATE transactions hold the write lock from BEGIN)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        factories.generate(world.study_a, by=world.admin)
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and '"studies_study"' in q["sql"]]
    assert bool(locks) == connection.features.has_select_for_update
    if not connection.features.has_select_for_update:
        # SQLite has no row locks: its transactions take the write lock at BEGIN instead.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_site_whose_work_was_all_undone_has_its_lines_reversed(world, finance, monkeypatch):
    factories.generate(world.study_a, by=world.admin)
    standing = PayableLine.objects.filter(study_site=world.site_a1).count()
    assert standing
    # Nothing done at site 101 any more (its work undone): it is still compared, and each line reversed.
    monkeypatch.setattr(payables, "work_done", lambda study, site_ids=None: {})
    report = payables.generate_payables(study=world.study_a, by=world.admin, site_ids=[world.site_a1.pk])
    assert report.reversals == standing
    lines = PayableLine.objects.filter(study_site=world.site_a1)
    assert sum(line.payable for line in lines) == 0
    assert not PayableLine.objects.filter(study_site=world.site_a2, reverses__isnull=False).exists()


def test_a_line_for_copy_escapes_the_free_text_of_the_work_and_writes_null_as_copy_reads_it():
    row = {name: None for name in payables.INSERTED} | {
        "study_id": 1, "study_site_id": 2, "source": "visit:7", "kind": "visit", "code": "V\\1",
        "participant": "101\t001\n", "currency": "EUR", "fee": Decimal("1.5000"),
    }  # fmt: skip
    values = [9, *(row[name] for name in payables.INSERTED), "gen", None, 1, "now", "now"]
    fields = payables._copy_line(values).removesuffix("\n").split("\t")
    assert len(fields) == len(payables.COLUMNS)
    named = dict(zip(payables.COLUMNS, fields, strict=True))
    assert (named["code"], named["participant"]) == ("V\\\\1", "101\\t001\\n")
    assert (named["fee"], named["rate"], named["id"]) == ("1.5000", "\\N", "9")
