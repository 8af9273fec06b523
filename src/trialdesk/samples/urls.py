"""Pages of the samples app."""

from django.urls import path

from trialdesk.samples import views

urlpatterns = [
    path("studies/<int:study_id>/samples/", views.samples_overview, name="samples_overview"),
    path("studies/<int:study_id>/samples/export/", views.samples_export, name="samples_export"),
    path(
        "studies/<int:study_id>/samples/laboratories/new/", views.laboratory_create, name="samples_lab_create"
    ),
    path("studies/<int:study_id>/samples/types/new/", views.sample_type_create, name="samples_type_create"),
    path("studies/<int:study_id>/samples/permits/new/", views.permit_create, name="samples_permit_create"),
    path("sample-permits/<int:sample_permit_id>/edit/", views.permit_edit, name="samples_permit_edit"),
    path("study-sites/<int:study_site_id>/samples/", views.site_samples, name="samples_site"),
    path("study-sites/<int:study_site_id>/samples/collect/", views.sample_collect, name="samples_collect"),
    path("study-sites/<int:study_site_id>/samples/ship/", views.sample_ship, name="samples_ship"),
    path("sample-shipments/<int:sample_shipment_id>/", views.shipment_detail, name="samples_shipment"),
    path(
        "sample-shipments/<int:sample_shipment_id>/custody/",
        views.shipment_custody,
        name="samples_shipment_custody",
    ),
    path(
        "sample-shipments/<int:sample_shipment_id>/temperature/",
        views.shipment_temperature,
        name="samples_shipment_temperature",
    ),
    path(
        "sample-shipments/<int:sample_shipment_id>/receipt/",
        views.shipment_receipt,
        name="samples_shipment_receipt",
    ),
]
