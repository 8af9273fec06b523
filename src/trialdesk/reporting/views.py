"""The report pages and their PDF downloads: the study status report and the portfolio report."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from trialdesk.reporting import pdf, reports, tasks
from trialdesk.studies.pages import visible_study


def _pdf_response(report: reports.Report, filename: str) -> HttpResponse:
    response = HttpResponse(pdf.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def study_report(request, study_id):
    study = visible_study(request, study_id)
    report = reports.study_status_report(request.user, study)
    return TemplateResponse(
        request, "reporting/study_report.html", {"study": study, "report": report, "nav": "portfolio"}
    )


@login_required
@require_safe
def study_report_pdf(request, study_id):
    study = visible_study(request, study_id)
    report = reports.study_status_report(request.user, study)
    return _pdf_response(report, f"{study.code}-status-report-{report.as_of.isoformat()}.pdf")


@login_required
def prepare_study_report_pdf(request, study_id):
    """Prepare PDF: the worker builds the PDF (core.tasks); its page shows progress, then the download.
    Under /me/: anyone who may read the report may ask for its PDF (read-only roles included)."""
    study = visible_study(request, study_id)  # 404 outside scope, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    progress = tasks.start_study_report_pdf(study=study, by=request.user)
    if request.htmx:
        return TemplateResponse(request, "core/task_progress.html", {"progress": progress})
    return redirect("task_page", task_id=progress.pk)


@login_required
@require_safe
def portfolio_report(request):
    report = reports.portfolio_report(request.user)
    return TemplateResponse(
        request, "reporting/portfolio_report.html", {"report": report, "nav": "portfolio"}
    )


@login_required
@require_safe
def portfolio_report_pdf(request):
    report = reports.portfolio_report(request.user)
    return _pdf_response(report, f"portfolio-report-{report.as_of.isoformat()}.pdf")
