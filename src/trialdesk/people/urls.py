"""Pages of the people app."""

from django.urls import path

from trialdesk.people import views

urlpatterns = [
    path("study-sites/<int:study_site_id>/staff/", views.site_staff, name="site_staff"),
    path(
        "studies/<int:study_id>/training-records/new/",
        views.training_record_create,
        name="training_record_create",
    ),
    path(
        "study-sites/<int:study_site_id>/delegation/new/", views.delegation_create, name="delegation_create"
    ),
    path("delegation-entries/<int:delegation_entry_id>/sign/", views.delegation_sign, name="delegation_sign"),
    path("delegation-entries/<int:delegation_entry_id>/end/", views.delegation_end, name="delegation_end"),
    path(
        "study-sites/<int:study_site_id>/financial-disclosures/new/",
        views.disclosure_create,
        name="disclosure_create",
    ),
]
