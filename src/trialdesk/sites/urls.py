"""Pages of the sites app: a study's sites and the institution directory."""

from django.urls import path

from trialdesk.sites import views

urlpatterns = [
    path("studies/<int:study_id>/sites/new/", views.study_site_create, name="study_site_create"),
    path("study-sites/<int:study_site_id>/", views.study_site_detail, name="study_site_detail"),
    path("study-sites/<int:study_site_id>/edit/", views.study_site_edit, name="study_site_edit"),
    path("study-sites/<int:study_site_id>/status/", views.study_site_status, name="study_site_status"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/new/", views.institution_create, name="institution_create"),
    path("institutions/<int:institution_id>/", views.institution_detail, name="institution_detail"),
    path("institutions/<int:institution_id>/edit/", views.institution_edit, name="institution_edit"),
]
