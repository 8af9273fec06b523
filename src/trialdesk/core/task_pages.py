"""The page of one piece of background work (core.tasks): its progress, polled by htmx until it ends,
its error or its file. Only the person who started it (or staff) sees it; anyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from trialdesk.core import tasks


@login_required
@require_safe
def task_page(request, task_id):
    progress = get_object_or_404(tasks.visible_tasks(request.user), pk=task_id)
    template = "core/task_progress.html" if request.htmx else "core/task_page.html"
    return TemplateResponse(request, template, {"progress": progress})


@login_required
@require_safe
def task_file(request, task_id):
    progress = get_object_or_404(tasks.visible_tasks(request.user), pk=task_id, status=tasks.Status.DONE)
    path = tasks.file_path(progress.pk, progress.file_name) if progress.file_name else None
    if path is None or not path.is_file():
        raise Http404("This task left no file.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=progress.file_name)
