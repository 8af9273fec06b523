"""The finance API: the same services as the pages; site staff read their own site's payables and runs,
sponsor viewers the totals only; bad input answers 422 naming the field with nothing saved."""

import datetime as dt
import json

import pytest

from tests.writes import nothing_written
from trialdesk.finance.models import ExchangeRate, PayableLine, RunStatus
from trialdesk.finance.tests import factories

pytestmark = pytest.mark.django_db


def send(client, method, url, body=None, **headers):
    return getattr(client, method)(
        f"/api/v1{url}", json.dumps(body or {}), content_type="application/json", **headers
    )


def fields_of(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


@pytest.fixture
def generated(world, finance):
    """Study A's payables generated: a visit and a start-up fee at 101 (EUR) and at 102 (JPY)."""
    factories.generate(world.study_a, by=world.admin)
    return world


def test_the_figures_are_totals_for_their_readers_and_hidden_from_others(world, generated, client_for):
    url = f"/api/v1/finance-figures/{world.study_a.pk}"
    for person in (world.crm, world.sponsor_viewer, world.auditor, factories.finance_person(world)):
        figures = client_for(person).get(url).json()
        assert figures["hidden"] is False and figures["currency"] == "EUR", person.username
        assert set(figures["eac"]) == {"0.1", "0.5", "0.9"}
    assert client_for(world.monitor).get(url).json() == {"hidden": True} | {
        k: None for k in ("currency", "budget", "spent", "committed", "eac", "variance", "participants_basis")
    }


def test_site_staff_read_their_own_sites_payables_and_runs_only(world, generated, client_for):
    mine, other = world.site_a1, world.site_a2
    runs = {
        site.pk: factories.paid_run(site, by=world.admin, approver=world.crm, password=factories.PASSWORD)
        for site in (mine, other)
    }
    client = client_for(factories.coordinator_at(mine, by=world.admin))
    listed = client.get(f"/api/v1/studies/{world.study_a.pk}/payables").json()
    assert listed["count"] == PayableLine.objects.filter(study_site=mine).count() > 0
    assert {line["study_site_id"] for line in listed["items"]} == {mine.pk}
    assert [
        r["id"] for r in client.get(f"/api/v1/studies/{world.study_a.pk}/payment-runs").json()["items"]
    ] == [runs[mine.pk].pk]
    assert client.get(f"/api/v1/payment-runs/{runs[mine.pk].pk}/lines").json()["count"] == 1
    assert client.get(f"/api/v1/payment-runs/{runs[other.pk].pk}").status_code == 404
    assert client.get(f"/api/v1/payment-runs/{runs[other.pk].pk}/lines").status_code == 404
    # Finance staff read every site's.
    everything = client_for(world.crm).get(f"/api/v1/studies/{world.study_a.pk}/payables").json()
    assert everything["count"] == PayableLine.objects.filter(study=world.study_a).count()


def test_a_sponsor_viewer_reads_no_line_and_changes_nothing(world, generated, client_for):
    client = client_for(world.sponsor_viewer)
    assert client.get(f"/api/v1/studies/{world.study_a.pk}/payables").json()["count"] == 0
    assert client.get(f"/api/v1/studies/{world.study_a.pk}/payment-runs").json()["count"] == 0
    with nothing_written():
        refused = send(client, "post", f"/studies/{world.study_a.pk}/payables/generate", {"reason": "x"})
    assert refused.status_code == 403


def test_a_payment_run_through_the_api(world, generated, client_for):
    crm, finance = client_for(world.crm), client_for(factories.finance_person(world))
    line = PayableLine.objects.get(study_site=world.site_a1, kind="visit")
    created = send(finance, "post", f"/study-sites/{world.site_a1.pk}/payment-runs", {"lines": [line.pk]})
    assert created.status_code == 201 and created.json()["status"] == RunStatus.DRAFT
    run_url = f"/payment-runs/{created.json()['id']}"
    with nothing_written():
        wrong = send(crm, "post", f"{run_url}/approve", {"password": "not it"})
    assert wrong.status_code == 422 and fields_of(wrong) == {"password"}
    approved = send(crm, "post", f"{run_url}/approve", {"password": factories.PASSWORD})
    assert approved.status_code == 200 and approved.json()["approved_by"] == world.crm.username
    paid = send(
        finance,
        "post",
        f"{run_url}/pay",
        {"paid_on": world.site_a1.local_today().isoformat(), "payment_reference": "SEPA-1"},
    )
    assert paid.status_code == 200 and paid.json()["status"] == RunStatus.PAID


SCHEDULE = {
    "effective_on": "2025-01-01",
    "currency": "EUR",
    "overhead_percent": 25,
    "holdback_percent": 10,
    "visit_fees": {"W2": 1200},
    "invoiceable": {"ETHICS": 1500},
}


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"visit_fees": {"W2": -5}}, "visit_fees"),
        ({"startup_fee": -1}, "startup_fee"),
        ({"holdback_percent": 120}, "holdback_percent"),
        ({"currency": "XYZ"}, "currency"),
    ],
)
def test_a_bad_fee_schedule_is_a_422_naming_the_field(world, client_for, bad, field):
    factories.make_budget(world.study_a, by=world.admin)
    client = client_for(world.crm)
    with nothing_written():
        refused = send(client, "post", f"/study-sites/{world.site_a1.pk}/fee-schedules", SCHEDULE | bad)
    assert refused.status_code == 422 and fields_of(refused) == {field}
    assert send(client, "post", f"/study-sites/{world.site_a1.pk}/fee-schedules", SCHEDULE).status_code == 201


def test_an_unknown_currency_in_a_rate_is_a_422_naming_it(world, client_for):
    client = client_for(world.crm)
    with nothing_written():
        refused = send(
            client, "post", "/exchange-rates", {"base": "EUR", "quote": "XYZ", "on": "2025-03-14", "rate": 1}
        )
    assert refused.status_code == 422 and fields_of(refused) == {"quote"}


def test_generating_with_a_rate_missing_is_a_422_naming_it(world, finance, client_for):
    ExchangeRate.objects.filter(on=dt.date(2025, 3, 14)).delete()
    with nothing_written():
        refused = send(
            client_for(world.crm), "post", f"/studies/{world.study_a.pk}/payables/generate", {"reason": ""}
        )
    assert refused.status_code == 422 and fields_of(refused) == {"exchange_rate"}
    assert "No exchange rate JPY → EUR on 2025-03-17" in refused.json()["errors"][0]["message"]


def test_a_run_with_a_line_already_paid_is_a_422_naming_the_lines(world, generated, client_for):
    run = factories.paid_run(world.site_a1, by=world.admin, approver=world.crm, password=factories.PASSWORD)
    line = run.lines.get()
    with nothing_written():
        refused = send(
            client_for(world.crm),
            "post",
            f"/study-sites/{world.site_a1.pk}/payment-runs",
            {"lines": [line.pk]},
        )
    assert refused.status_code == 422 and fields_of(refused) == {"lines"}
    assert refused.json()["errors"][0]["message"] == f"Line #{line.pk} is already paid {run.number}."


def test_an_invoice_for_an_item_not_in_the_schedule_is_a_422_naming_it(world, finance, client_for):
    body = {"number": "X-1", "item_code": "CATERING", "invoice_on": "2025-03-05", "amount": "10"}
    with nothing_written():
        refused = send(client_for(world.crm), "post", f"/study-sites/{world.site_a1.pk}/site-invoices", body)
    assert refused.status_code == 422 and fields_of(refused) == {"item_code"}
    assert "CATERING is not in the site's fee schedule" in refused.json()["errors"][0]["message"]


def test_the_api_refuses_approving_ones_own_run_naming_the_approver(world, generated, client_for):
    line = PayableLine.objects.get(study_site=world.site_a1, kind="visit")
    crm = client_for(world.crm)
    created = send(crm, "post", f"/study-sites/{world.site_a1.pk}/payment-runs", {"lines": [line.pk]})
    with nothing_written():
        refused = send(
            crm, "post", f"/payment-runs/{created.json()['id']}/approve", {"password": factories.PASSWORD}
        )
    assert refused.status_code == 422 and fields_of(refused) == {"approved_by"}
    assert "segregation of duties" in refused.json()["errors"][0]["message"]


def test_the_api_refuses_deciding_ones_own_invoice_naming_the_decision(world, finance, client_for):
    crm = client_for(world.crm)
    body = {"number": "E-1", "item_code": "ETHICS", "invoice_on": "2025-03-05", "amount": "1500"}
    created = send(crm, "post", f"/study-sites/{world.site_a1.pk}/site-invoices", body)
    url = f"/site-invoices/{created.json()['id']}/decide"
    with nothing_written():
        refused = send(crm, "post", url, {"decision": "approved"})
    assert refused.status_code == 422 and fields_of(refused) == {"decision"}
    assert send(client_for(world.admin), "post", url, {"decision": "approved"}).json()["status"] == "approved"
