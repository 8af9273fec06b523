"""Pages of the supply app."""

from django.urls import path

from trialdesk.supply.views import records, setup

urlpatterns = [
    path("studies/<int:study_id>/supply/products/new/", setup.product_create, name="supply_product_create"),
    path(
        "studies/<int:study_id>/supply/kit-types/new/", setup.kit_type_create, name="supply_kit_type_create"
    ),
    path("studies/<int:study_id>/supply/lots/new/", setup.lot_create, name="supply_lot_create"),
    path("studies/<int:study_id>/supply/depots/new/", setup.depot_create, name="supply_depot_create"),
    path("studies/<int:study_id>/supply/kits/new/", setup.kits_create, name="supply_kits_create"),
    path(
        "studies/<int:study_id>/supply/visit-dispensing/",
        setup.visit_dispensing_set,
        name="supply_visit_dispensing",
    ),
    path(
        "studies/<int:study_id>/supply/shipments/new/", setup.shipment_create, name="supply_shipment_create"
    ),
    path(
        "studies/<int:study_id>/supply/resupply-plan/",
        setup.resupply_plan_set,
        name="supply_resupply_plan",
    ),
    path("studies/<int:study_id>/supply/lanes/", setup.shipping_lane_set, name="supply_shipping_lane"),
    path("studies/<int:study_id>/supply/forecast/", records.forecast_page, name="supply_forecast"),
    path(
        "studies/<int:study_id>/supply/accountability.xlsx",
        records.accountability_export,
        name="supply_accountability_export",
    ),
    path(
        "studies/<int:study_id>/supply/shipments.xlsx",
        records.shipments_export,
        name="supply_shipments_export",
    ),
    path("supply/shipments/<int:shipment_id>/", records.shipment_detail, name="supply_shipment_detail"),
    path(
        "supply/shipments/<int:shipment_id>/receive/",
        records.shipment_receive,
        name="supply_shipment_receive",
    ),
    path("supply/excursions/<int:excursion_id>/", records.excursion_detail, name="supply_excursion_detail"),
    path("study-sites/<int:study_site_id>/supply/", records.site_supply, name="supply_site"),
    path(
        "study-sites/<int:study_site_id>/supply/excursions/new/",
        records.site_excursion_create,
        name="supply_site_excursion_create",
    ),
    path(
        "study-sites/<int:study_site_id>/supply/destructions/new/",
        records.site_destruction_create,
        name="supply_site_destruction_create",
    ),
    path("participants/<int:participant_id>/supply/", records.participant_supply, name="supply_participant"),
    path(
        "supply/dispensings/<int:dispensing_id>/return/",
        records.dispensing_return,
        name="supply_dispensing_return",
    ),
]
