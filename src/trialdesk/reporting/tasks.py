"""The reports' background work (core.tasks): a study status report's PDF prepared by the worker, as the
person who asked may see it, and kept for them to download from the task's page."""

from django.conf import settings
from django.utils import translation

from trialdesk.core import tasks
from trialdesk.core.models import User
from trialdesk.reporting import pdf, reports
from trialdesk.studies.models import Study


@tasks.tracked_task
def study_report_pdf(progress: tasks.Progress, *, study_id: int, reader_id: int) -> None:
    """Build the status report of `study_id` as `reader_id` sees it now (scope checked again) as PDF."""
    reader = User.objects.get(pk=reader_id, is_active=True)
    study = Study.objects.visible_to(reader).filter(pk=study_id).first()
    if study is None:
        raise PermissionError("You may no longer see this study.")
    progress.update(done=0, total=3, message="Gathering the report's sections")
    with translation.override(getattr(reader, "language", "") or settings.LANGUAGE_CODE):
        # in the language of the person who asked, as the page they asked from
        report = reports.study_status_report(reader, study)
        progress.update(done=1, message=f"Drawing {len(report.sections)} sections as PDF")
        content = pdf.report_pdf(report)
    progress.update(done=2, message="Saving the file")
    progress.attach(content, filename=f"{study.code}-status-report-{report.as_of.isoformat()}.pdf")
    progress.update(done=3, message="Ready to download")


def start_study_report_pdf(*, study: Study, by: User):
    return tasks.start(
        study_report_pdf, title=f"{study.code} status report (PDF)", by=by, study_id=study.pk, reader_id=by.pk
    )
