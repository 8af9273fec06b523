"""Pages of the documents app: the study's documents, filing, a document with its versions, downloads."""

from django.urls import path

from trialdesk.documents import views

urlpatterns = [
    path("studies/<int:study_id>/documents/", views.document_list, name="document_list"),
    path("studies/<int:study_id>/documents/file/", views.document_file, name="document_file"),
    path("documents/<int:document_id>/", views.document_detail, name="document_detail"),
    path(
        "documents/<int:document_id>/versions/new/", views.document_version_new, name="document_version_new"
    ),
    path(
        "document-versions/<int:document_version_id>/download/",
        views.document_download,
        name="document_download",
    ),
]
