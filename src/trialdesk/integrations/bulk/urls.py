"""Pages for bulk import from spreadsheets and for the Excel exports."""

from django.urls import path

from trialdesk.integrations.bulk import views

urlpatterns = [
    path("imports/", views.import_start, name="bulk_import"),
    path("imports/institutions/", views.import_institutions, name="bulk_import_institutions"),
    path("imports/sites/", views.import_sites, name="bulk_import_sites"),
    path("imports/confirm/", views.import_confirm, name="bulk_import_confirm"),
    path(
        "imports/institutions/template.xlsx",
        views.institutions_template_xlsx,
        name="bulk_institutions_template_xlsx",
    ),
    path(
        "imports/institutions/template.csv",
        views.institutions_template_csv,
        name="bulk_institutions_template_csv",
    ),
    path("imports/sites/template.xlsx", views.sites_template_xlsx, name="bulk_sites_template_xlsx"),
    path("imports/sites/template.csv", views.sites_template_csv, name="bulk_sites_template_csv"),
    path("portfolio/export.xlsx", views.portfolio_export, name="portfolio_export_xlsx"),
    path(
        "studies/<int:study_id>/sites/export.xlsx",
        views.study_sites_export,
        name="study_sites_export_xlsx",
    ),
    path(
        "studies/<int:study_id>/milestones/export.xlsx",
        views.study_milestones_export,
        name="study_milestones_export_xlsx",
    ),
]
