"""Supply pages, the Excel exports and `trialdesk supply forecast`: what each reader is shown, a receipt
with a temperature log upload, and the command's JSON."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from trialdesk.supply import services, work
from trialdesk.supply.models import Excursion, Kit, KitStatus
from trialdesk.supply.tests.factories import ship_and_receive

WARM = b"time,temperature_c\n2025-02-01T08:00Z,4.0\n2025-02-01T12:00Z,12.0\n"


def test_the_supply_tab_hides_the_arms_from_blinded_readers(ip, client_for):
    ship_and_receive(ip.world.study_a, ip.world.site_a1, by=ip.supply_manager, kits={"KT-A": 1, "KT-B": 1})
    url = f"/studies/{ip.world.study_a.pk}/?tab=supply"
    blinded = client_for(ip.world.monitor).get(url).content.decode()
    unblinded = client_for(ip.trial.pharmacist).get(url).content.decode()
    assert "ip-accountability" in blinded and "<th>Arm</th>" not in blinded
    assert "<th>Arm</th>" in unblinded
    manager = client_for(ip.supply_manager).get(url).content.decode()
    assert "Ship kits to a site" in manager and "Ship kits to a site" not in blinded


def test_a_receipt_page_with_a_warm_log_quarantines_the_kits(ip, client_for):
    world = ip.world
    shipment = services.ship_to_site(
        study=world.study_a, by=ip.supply_manager, depot=ip.depot, study_site=world.site_a1,
        kits={"KT-A": 2}, shipped_on=ip.trial.participants[0].enrolled_on,
    )  # fmt: skip
    url = f"/supply/shipments/{shipment.pk}/receive/"
    client = client_for(ip.trial.coordinator_a1)
    too_many = client.post(url, {"received_on": "2025-03-02", "kits_received": 3})
    assert too_many.status_code == 200 and "only 2" in too_many.content.decode()
    log = SimpleUploadedFile("logger.csv", WARM, content_type="text/csv")
    response = client.post(url, {"received_on": "2025-03-02", "kits_received": 2, "temperature_log": log})
    assert response.status_code == 302
    assert set(shipment.kits.values_list("status", flat=True)) == {KitStatus.QUARANTINED}
    assert Excursion.objects.get().temperature_max_c == 12
    assert client_for(world.auditor).post(url, {"received_on": "2025-03-02"}).status_code == 403


def test_exports_and_the_forecast_page(ip, client_for):
    ship_and_receive(ip.world.study_a, ip.world.site_a1, by=ip.supply_manager, kits={"KT-A": 2, "KT-B": 2})
    client = client_for(ip.world.monitor)
    study = ip.world.study_a.pk
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/studies/{study}/supply/accountability.xlsx").content), read_only=True
    )
    rows = list(workbook["Accountability"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Site", "Kits received", "In transit") and rows[1][:2] == ("101", 4)
    kit_types = {row[1] for row in list(workbook["Kits"].iter_rows(values_only=True))[1:]}
    assert kit_types == {"blinded"}
    shipments = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/studies/{study}/supply/shipments.xlsx").content), read_only=True
    )
    assert list(shipments["Shipments"].iter_rows(values_only=True))[1][0] == "SHP-0001"
    page = client.get(f"/studies/{study}/supply/forecast/")
    assert page.status_code == 200 and "Projected waste" in page.content.decode()


def test_the_forecast_command_prints_the_named_fields(ip, capsys):
    ship_and_receive(ip.world.study_a, ip.world.site_a1, by=ip.supply_manager, kits={"KT-A": 2, "KT-B": 2})
    call_command(
        "supply", "forecast", "--study", ip.world.study_a.code, "--horizon-weeks", "12", "--sims", "200",
        "--seed", "1", "--as-of", "2025-03-01", "--json",
    )  # fmt: skip
    document = json.loads(capsys.readouterr().out)
    site = next(row for row in document["sites"] if row["site"] == "101")
    assert set(site) == {"site", "on_hand", "expiring_in_horizon", "needed", "suggested_shipment"}
    assert set(site["needed"]) == {"0.5", "0.9"} and site["on_hand"] == 4
    assert site["needed"]["0.5"] <= site["needed"]["0.9"]
    assert isinstance(document["projected_waste_kits"], float)
    notes = " ".join(document["notes"])  # resupply defaults, and recruitment capped at the planned enrollment
    assert "7 days' lead time" in notes and "review every 28 days" in notes and "planned enrollment" in notes
    with pytest.raises(CommandError, match="--study"):
        call_command("supply", "forecast", "--study", "NOPE", "--json")
    with pytest.raises(CommandError, match="--horizon-weeks"):
        call_command("supply", "forecast", "--study", ip.world.study_a.code, "--horizon-weeks", "0", "--json")
    assert Kit.objects.filter(status=KitStatus.AVAILABLE, study_site=ip.world.site_a1).count() == 4


def test_my_work_lists_receipts_for_site_staff_and_decisions_for_the_supply_manager(ip, clock):
    world = ip.world
    today = clock.today(world.site_a1)
    shipment = services.ship_to_site(
        study=world.study_a, by=ip.supply_manager, depot=ip.depot, study_site=world.site_a1,
        kits={"KT-A": 1}, shipped_on=today,
    )  # fmt: skip
    assert [i.url for i in work.shipments_to_confirm(ip.trial.coordinator_a1, today)] == [
        f"/supply/shipments/{shipment.pk}/receive/"
    ]
    assert work.shipments_to_confirm(world.monitor, today) == []
    services.confirm_receipt(
        shipment=shipment, by=ip.trial.coordinator_a1, received_on=today, kits_received=1,
        temperature_log=WARM.decode(),
    )  # fmt: skip
    assert len(work.excursions_to_decide(ip.supply_manager, today)) == 1
    assert work.excursions_to_decide(ip.trial.coordinator_a1, today) == []
    low = work.low_stock(ip.supply_manager, today)
    assert [item.title.split(" of ")[0] for item in low] == ["Site 101"]


def test_the_resupply_plan_and_lanes_are_set_on_pages_and_shown_to_readers(ip, client_for):
    from trialdesk.core.models import AuditEvent
    from trialdesk.supply.models import ResupplyPlan, ShippingLane

    study = ip.world.study_a
    tab = f"/studies/{study.pk}/?tab=supply"
    manager = client_for(ip.supply_manager)
    assert "Change the resupply plan" in manager.get(tab).content.decode()
    plan_url, lanes_url = f"/studies/{study.pk}/supply/resupply-plan/", f"/studies/{study.pk}/supply/lanes/"
    bad = manager.post(plan_url, {"lead_time_days": 400, "review_period_days": 14})
    assert bad.status_code == 200 and "Give the lead time in whole days" in bad.content.decode()
    assert not ResupplyPlan.objects.filter(study=study).exists()
    assert manager.post(plan_url, {"lead_time_days": 5, "review_period_days": 14}).status_code == 302
    assert manager.post(plan_url, {"lead_time_days": 6, "review_period_days": 14}).status_code == 302
    site = ip.world.site_a1
    lane = {"depot": ip.depot.pk, "study_site": site.pk, "lead_time_days": 3}
    assert manager.post(lanes_url, {**lane, "lead_time_days": -1}).status_code == 200
    assert manager.post(lanes_url, lane).status_code == 302
    assert ShippingLane.objects.get(study_site=site).lead_time_days == 3
    events = AuditEvent.objects.filter(object_type__in=["supply.resupplyplan", "supply.shippinglane"])
    assert events.count() == 3
    monitor = client_for(ip.world.monitor)
    shown = monitor.get(tab).content.decode()
    assert "Lead time 6 days" in shown and "ip-lanes" in shown and "Change the resupply plan" not in shown
    assert monitor.get(plan_url).status_code == 403
    assert monitor.post(lanes_url, lane).status_code == 403
