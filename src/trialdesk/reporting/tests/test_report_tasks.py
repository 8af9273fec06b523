"""Prepare PDF: the status report's PDF built as background work (core.tasks; run at once in the tests),
for whoever may read the report, read-only roles included; its page and file are theirs alone."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from trialdesk.core.models import TaskProgress
from trialdesk.reporting.models import StoredEstimate

pytestmark = pytest.mark.django_db


def test_a_sponsor_viewer_prepares_the_pdf_and_only_they_download_it(world, client_for):
    url = reverse("study_report_pdf_task", kwargs={"study_id": world.study_a.pk})
    viewer = client_for(world.sponsor_viewer)
    assert (
        reverse("study_report_pdf_task", kwargs={"study_id": world.study_a.pk})
        in viewer.get(reverse("study_report", kwargs={"study_id": world.study_a.pk})).content.decode()
    )
    assert viewer.get(url).status_code == 405
    response = viewer.post(url, headers={"HX-Request": "true"})
    progress = TaskProgress.objects.get()
    assert response.status_code == 200 and "Download ONC-A-status-report-" in response.content.decode()
    assert (progress.status, progress.done, progress.total, progress.started_by) == (
        "done",
        3,
        3,
        world.sponsor_viewer,
    )
    download = viewer.get(reverse("task_file", kwargs={"task_id": progress.pk}))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client_for(world.crm).get(reverse("task_page", kwargs={"task_id": progress.pk})).status_code == 404
    assert client_for(world.coordinator).post(url).status_code == 404  # study A is outside their scope
    assert client_for(world.crm).post(url).url == reverse("task_page", kwargs={"task_id": progress.pk + 1})


def test_report_refresh_in_the_background_waits_with_a_progress_bar(world):
    out = io.StringIO()
    call_command("report", "refresh", "--background", "--wait", stdout=out)
    printed = out.getvalue()
    assert "Store the estimate at completion: ONC-A" in printed or "2/2" in printed
    assert "Stored the estimate at completion of 2 of 2 studies" in printed
    assert StoredEstimate.objects.count() == 2
