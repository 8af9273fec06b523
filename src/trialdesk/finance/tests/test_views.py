"""Finance pages: the Finance tab and the pages render for finance staff and the CRM; site staff see their
own site's payables, runs and remittances and nothing of another site's; sponsor viewers read totals and
no line; bad input is shown on the field it concerns with nothing saved; the Excel exports download."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from tests.writes import nothing_written
from trialdesk.finance.models import ExchangeRate, FeeSchedule, PayableLine, SiteInvoice
from trialdesk.finance.services import duties
from trialdesk.finance.tests import factories
from trialdesk.interop import tabular
from trialdesk.interop.tabular import TableError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def paid(world, finance):
    """Study A's payables generated, and each site's visit line paid in a run (drafted by the
    administrator, approved by the CRM): {site id: run}."""
    factories.generate(world.study_a, by=world.admin)
    return {
        site.pk: factories.paid_run(site, by=world.admin, approver=world.crm, password=factories.PASSWORD)
        for site in (world.site_a1, world.site_a2)
    }


def tab(client, study):
    return client.get(f"/studies/{study.pk}/?tab=finance")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def table_of(response, name: str) -> tabular.Table:
    return tabular.read_table(response.content, name)


def column(table: tabular.Table, header: str) -> list:
    at = table.headers.index(header)
    return [row.cells[at] for row in table.rows]


def test_the_tab_and_pages_render_for_finance_staff_and_the_crm(world, paid, client_for):
    study, site = world.study_a, world.site_a1
    invoice = factories.approved_invoice(site, by=world.admin, decider=world.crm, number="INV-9")
    schedule = FeeSchedule.objects.get(study_site=site)
    pages = [
        f"/studies/{study.pk}/finance/payables/",
        f"/studies/{study.pk}/finance/payables/?site={site.pk}&state=paid&sort=-payable",
        f"/studies/{study.pk}/finance/payment-runs/",
        f"/studies/{study.pk}/finance/invoices/",
        f"/studies/{study.pk}/finance/budget/new/",
        f"/studies/{study.pk}/finance/contracts/new/",
        f"/study-sites/{site.pk}/fee-schedules/new/",
        f"/study-sites/{site.pk}/procedures/new/",
        f"/fee-schedules/{schedule.pk}/edit/",
        f"/payment-runs/{paid[site.pk].pk}/",
        f"/site-invoices/{invoice.pk}/",
        "/finance/exchange-rates/",
    ]
    for person in (world.crm, factories.finance_person(world)):
        client = client_for(person)
        page = tab(client, study).content.decode()
        assert 'id="finance-figures"' in page and 'id="finance-sites"' in page and "Generate payables" in page
        for url in pages:
            assert client.get(url).status_code == 200, (person.username, url)
        site_page = client.get(f"/study-sites/{site.pk}/").content.decode()
        assert 'id="site-finance"' in site_page and paid[site.pk].number in site_page


def test_site_staff_see_their_own_sites_payables_and_remittances_only(world, paid, client_for):
    mine, other = world.site_a1, world.site_a2
    client = client_for(factories.coordinator_at(mine, by=world.admin))
    page = tab(client, world.study_a).content.decode()
    assert "Your sites' payables" in page and 'id="finance-figures"' not in page
    assert f"/study-sites/{mine.pk}/" in page and f"/study-sites/{other.pk}/" not in page
    site_page = client.get(f"/study-sites/{mine.pk}/").content.decode()
    assert 'id="site-finance"' in site_page and paid[mine.pk].number in site_page
    pdf = client.get(f"/payment-runs/{paid[mine.pk].pk}/remittance.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    advice = client.get(f"/payment-runs/{paid[mine.pk].pk}/remittance.xlsx")
    assert advice["Content-Type"] == XLSX
    assert column(table_of(advice, "r.xlsx"), "Participant") == ["101-001"]
    for url in (
        f"/study-sites/{other.pk}/",
        f"/payment-runs/{paid[other.pk].pk}/",
        f"/payment-runs/{paid[other.pk].pk}/remittance.pdf",
        f"/payment-runs/{paid[other.pk].pk}/remittance.xlsx",
    ):
        assert client.get(url).status_code == 404, url
    # The study's payables list is the finance readers' page; a site's own are on its page.
    assert client.get(f"/studies/{world.study_a.pk}/finance/payables/").status_code == 403


def test_a_sponsor_viewer_reads_totals_and_no_line(world, paid, client_for):
    client = client_for(world.sponsor_viewer)
    page = tab(client, world.study_a).content.decode()
    assert 'id="finance-figures"' in page and 'id="finance-sites"' in page
    assert "101-001" not in page and "/finance/payables/" not in page and "Generate payables" not in page
    run = paid[world.site_a1.pk]
    assert client.get(f"/studies/{world.study_a.pk}/finance/payables/").status_code == 403
    assert client.get(f"/payment-runs/{run.pk}/").status_code == 404
    assert client.get(f"/payment-runs/{run.pk}/remittance.pdf").status_code == 404
    budget = client.get(f"/studies/{world.study_a.pk}/finance/budget.xlsx")
    assert budget.status_code == 200 and budget["Content-Type"] == XLSX


def test_someone_without_a_finance_role_is_told_so(world, paid, client_for):
    page = tab(client_for(world.monitor), world.study_a).content.decode()
    assert "Finance figures are not shown to your role" in page and 'id="finance-figures"' not in page


SCHEDULE_FORM = {
    "effective_on": "2025-01-01",
    "currency": "EUR",
    "overhead_percent": "25",
    "holdback_percent": "10",
    "payment_terms_days": "30",
    "startup_fee": "5000",
    "closeout_fee": "",
    "screen_failure_fee": "",
    "screen_failure_max_paid": "",
    "visit_fees": "W2 = 1200",
    "procedure_fees": "",
    "invoiceable": "ETHICS = 1500",
    "note": "",
}


def test_a_fee_schedule_entered_on_its_page_is_saved(world, client_for):
    factories.make_budget(world.study_a, by=world.admin)
    url = f"/study-sites/{world.site_a1.pk}/fee-schedules/new/"
    response = client_for(world.crm).post(url, SCHEDULE_FORM)
    assert response.status_code == 302
    assert FeeSchedule.objects.get(study_site=world.site_a1).visit_fees == {"W2": "1200"}


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"visit_fees": "W2 = -5"}, "visit_fees"),
        ({"startup_fee": "-1"}, "startup_fee"),
        ({"holdback_percent": "120"}, "holdback_percent"),
        ({"currency": "XYZ"}, "currency"),
    ],
)
def test_a_bad_fee_schedule_is_shown_on_its_field_and_saves_nothing(world, client_for, bad, field):
    factories.make_budget(world.study_a, by=world.admin)
    client = client_for(world.crm)
    with nothing_written():
        response = client.post(f"/study-sites/{world.site_a1.pk}/fee-schedules/new/", SCHEDULE_FORM | bad)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]


def test_generating_without_a_rate_says_which_and_saves_nothing(world, finance, client_for):
    ExchangeRate.objects.filter(on=dt.date(2025, 3, 14)).delete()
    client = client_for(world.crm)
    with nothing_written():
        response = client.post(f"/studies/{world.study_a.pk}/finance/generate/", {"reason": ""})
    assert response.status_code == 302
    assert any("No exchange rate JPY → EUR on 2025-03-17" in m for m in messages_of(response))


def test_a_run_with_a_line_already_paid_is_refused_and_saves_nothing(world, paid, client_for):
    line = paid[world.site_a1.pk].lines.get()
    client = client_for(world.crm)
    with nothing_written():
        response = client.post(
            f"/studies/{world.study_a.pk}/finance/payment-runs/",
            {"study_site": world.site_a1.pk, "lines": [line.pk]},
        )
    assert response.status_code == 302
    assert messages_of(response) == [f"Line #{line.pk} is already paid {paid[world.site_a1.pk].number}."]


def test_an_invoice_for_an_item_not_in_the_schedule_is_refused_on_its_field(world, finance, client_for):
    client = client_for(world.crm)
    with nothing_written():
        response = client.post(
            f"/studies/{world.study_a.pk}/finance/invoices/",
            {
                "study_site": world.site_a1.pk,
                "number": "X-1",
                "item_code": "CATERING",
                "invoice_on": "2025-03-05",
                "amount": "10",
            },
        )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["item_code"]
    assert "CATERING is not in the site's fee schedule" in errors["item_code"][0]


def test_payables_payments_and_budget_download_as_excel(world, paid, client_for):
    client = client_for(factories.finance_person(world))
    study = world.study_a
    payables = client.get(f"/studies/{study.pk}/finance/payables/?format=xlsx")
    assert payables["Content-Type"] == XLSX
    assert payables["Content-Disposition"] == f'attachment; filename="{study.code}-payables.xlsx"'
    lines = table_of(payables, "p.xlsx")
    assert lines.headers[0] == "Line" and "Participant" in lines.headers
    assert len(lines.rows) == PayableLine.objects.filter(study=study).count()
    csv = client.get(f"/studies/{study.pk}/finance/payables/?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and len(table_of(csv, "p.csv").rows) == len(lines.rows)
    runs = client.get(f"/studies/{study.pk}/finance/payment-runs/?format=xlsx")
    assert runs["Content-Disposition"] == f'attachment; filename="{study.code}-payment-runs.xlsx"'
    assert sorted(column(table_of(runs, "r.xlsx"), "Run")) == sorted(run.number for run in paid.values())
    budget = client.get(f"/studies/{study.pk}/finance/budget.xlsx")
    assert budget["Content-Disposition"] == f'attachment; filename="{study.code}-budget.xlsx"'
    assert table_of(budget, "b.xlsx").rows


def test_an_export_is_a_workbook_not_a_page(world, paid, client_for):
    """The downloads are real files a spreadsheet opens (read back with interop.tabular)."""
    response = client_for(world.crm).get(f"/studies/{world.study_a.pk}/finance/payables/")
    with pytest.raises(TableError):
        tabular.read_table(response.content, "page.xlsx")


def test_the_one_who_drafted_a_run_is_not_offered_its_approval(world, finance, client_for):
    factories.generate(world.study_a, by=world.admin)
    line = PayableLine.objects.get(study_site=world.site_a1, kind="visit")
    crm, colleague = client_for(world.crm), client_for(factories.finance_person(world))
    drafted = crm.post(
        f"/studies/{world.study_a.pk}/finance/payment-runs/",
        {"study_site": world.site_a1.pk, "lines": [line.pk]},
    )
    run_url = drafted["Location"]
    page = crm.get(run_url).content.decode()
    assert 'id="own-draft"' in page and "Approve and sign" not in page
    with nothing_written():
        refused = crm.post(f"{run_url}approve/", {"password": factories.PASSWORD})
    assert messages_of(refused) == [duties.OWN_RUN]
    assert "Approve and sign" in colleague.get(run_url).content.decode()
    approved = colleague.post(f"{run_url}approve/", {"password": factories.PASSWORD})
    assert messages_of(approved) == ["Payment run approved and signed."]


def test_the_one_who_entered_an_invoice_is_not_offered_its_decision(world, finance, client_for):
    crm = client_for(world.crm)
    crm.post(
        f"/studies/{world.study_a.pk}/finance/invoices/",
        {
            "study_site": world.site_a1.pk,
            "number": "E-1",
            "item_code": "ETHICS",
            "invoice_on": "2025-03-05",
            "amount": "1500",
        },
    )
    invoice = SiteInvoice.objects.get(number="E-1")
    page = crm.get(f"/site-invoices/{invoice.pk}/").content.decode()
    assert 'id="own-invoice"' in page and "Decide" not in page
    decided = client_for(world.admin).post(f"/site-invoices/{invoice.pk}/", {"decision": "approved"})
    assert decided.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "approved"
