"""Payables earned as the work is recorded (finance.earning): after the write commits, that site's payables
are brought in line, once per site and transaction; a write never fails because of it."""

import datetime as dt
import logging

import pytest
from django.db import connection, transaction

from trialdesk.finance import earning
from trialdesk.finance.models import ExchangeRate, PayableLine
from trialdesk.visits import services as visit_services


@pytest.fixture
def committed(finance):
    """The finance world as if committed: the test's own transaction never commits, so the jobs its
    writes queued are dropped (a commit would have run them) and its lines set aside."""
    connection.run_on_commit.clear()
    return finance


def visit_lines(site):
    return list(PayableLine.objects.filter(study_site=site, kind="visit").order_by("id"))


def test_a_visit_recorded_earns_its_fee_when_the_write_commits(
    world, committed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        visit_services.record_visit(
            scheduled_visit=committed.visit_a1,
            done_on=dt.date(2025, 3, 18),
            modality="on_site",
            by=world.admin,
            reason="the visit was on the 18th",
        )
    assert callbacks == [earning.SiteGeneration(world.study_a.pk, world.site_a1.pk)]
    (line,) = visit_lines(world.site_a1)
    assert (line.code, line.earned_on, line.payable) == ("W2", dt.date(2025, 3, 18), 1350)
    assert not visit_lines(world.site_a2)  # only the site whose work was recorded


def test_a_correction_is_reversed_and_earned_again_as_it_is_recorded(
    world, committed, django_capture_on_commit_callbacks
):
    earning.SiteGeneration(world.study_a.pk, world.site_a1.pk)()
    with django_capture_on_commit_callbacks(execute=True):
        visit_services.record_visit(
            scheduled_visit=committed.visit_a1,
            done_on=dt.date(2025, 3, 19),
            modality="on_site",
            by=world.admin,
            reason="typed the wrong day",
        )
    first, reversal, again = visit_lines(world.site_a1)
    assert reversal.reverses_id == first.pk and reversal.payable == -first.payable
    assert again.earned_on == dt.date(2025, 3, 19)


def test_many_writes_at_a_site_in_one_transaction_generate_once(
    world, committed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for day in (18, 19, 20):
            visit_services.record_visit(
                scheduled_visit=committed.visit_a1,
                done_on=dt.date(2025, 3, day),
                modality="on_site",
                by=world.admin,
                reason="corrected",
            )
    assert [c for c in callbacks if isinstance(c, earning.SiteGeneration)] == [
        earning.SiteGeneration(world.study_a.pk, world.site_a1.pk)
    ]


def test_a_missing_rate_leaves_the_work_unearned_and_the_visit_recorded(
    world, committed, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.INFO, logger="trialdesk.finance.earning")
    ExchangeRate.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        visit = visit_services.record_visit(
            scheduled_visit=committed.visit_a2,
            done_on=dt.date(2025, 3, 18),
            modality="on_site",
            by=world.admin,
            reason="the visit was on the 18th",
        )
    assert callbacks == [earning.SiteGeneration(world.study_a.pk, world.site_a2.pk)]
    visit.refresh_from_db()
    assert visit.done_on == dt.date(2025, 3, 18)
    assert not visit_lines(world.site_a2)  # JPY without a rate: the nightly run names it
    assert "not generated" in caplog.text and "No exchange rate JPY" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # handled, not a crash


def test_a_study_without_a_budget_earns_nothing_and_nothing_fails(world, caplog):
    caplog.set_level(logging.INFO, logger="trialdesk.finance.earning")
    job = earning.SiteGeneration(world.study_b.pk, world.site_b1.pk)
    job()  # no budget: no currency to convert to, said in the log, nothing raised
    assert "not generated" in caplog.text and "Enter the study budget first" in caplog.text
    assert not PayableLine.objects.exists()
