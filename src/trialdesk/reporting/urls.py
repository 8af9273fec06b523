"""Pages of the reporting app: the study status report and the portfolio report, each with its PDF."""

from django.urls import path

from trialdesk.reporting import views

urlpatterns = [
    path("studies/<int:study_id>/report/", views.study_report, name="study_report"),
    path("studies/<int:study_id>/report.pdf", views.study_report_pdf, name="study_report_pdf"),
    # Under me/: asking for a PDF is a read (read-only roles may), not a write to the study.
    path("me/study-report-pdf/<int:study_id>/", views.prepare_study_report_pdf, name="study_report_pdf_task"),
    path("reports/portfolio/", views.portfolio_report, name="portfolio_report"),
    path("reports/portfolio.pdf", views.portfolio_report_pdf, name="portfolio_report_pdf"),
]
