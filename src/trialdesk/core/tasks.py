"""Background work: long jobs (a forecast refresh, a PDF report, a digest, an import) queued in the
database and run by `trialdesk worker`, with their progress kept where the person who started them can
follow it (the page /tasks/<id>/, through htmx polling, and `--wait` on the command line).

The queue is django-tasks (DEP 14, the API Django 6 ships as django.tasks) with the django-tasks-db
backend: `@tracked_task` makes a task whose function receives a `Progress`, and `start()` records a
`TaskProgress` and enqueues it in the caller's transaction, so a task never runs before the data it reads
are committed. A task that raises is marked failed with its error shown to its starter; a task whose
worker died (killed, the machine restarted) is taken back after its lease (or at once, when the worker
restarts under the same --worker-id) and retried up to TASK_MAX_ATTEMPTS times, then marked failed with
that reason: never lost silently. In the tests the queue runs each task at once (settings.TASKS).
"""

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task, TaskResultStatus

from trialdesk.core.models import TaskProgress, User

log = logging.getLogger(__name__)

Status = TaskProgress.Status


class WorkerLost(Exception):
    """The worker that had claimed a task stopped before finishing it (recorded on the task's row)."""


@dataclass(frozen=True)
class Progress:
    """What a running task writes about itself; each write is also the worker's sign of life."""

    progress_id: int

    def update(self, *, done: int, total: int | None = None, message: str = "") -> None:
        fields = {"done": done, "message": message[:300], "updated_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        TaskProgress.objects.filter(pk=self.progress_id).update(**fields)

    def attach(self, content: bytes, *, filename: str) -> None:
        """Keep a file the task produced for its starter to download from /tasks/<id>/file."""
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-.") or "result"
        path = file_path(self.progress_id, safe)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        TaskProgress.objects.filter(pk=self.progress_id).update(file_name=safe, updated_at=timezone.now())


def file_path(progress_id: int, file_name: str) -> Path:
    return Path(settings.DATA_DIR) / "task-files" / f"{progress_id}-{file_name}"


def tracked_task(function: Callable[..., object]) -> Task:
    """Make `function(progress, **kwargs)` a queued task that keeps its TaskProgress row current."""

    @functools.wraps(function)
    def run(progress_id: int, **kwargs) -> None:
        with transaction.atomic():
            row = TaskProgress.objects.select_for_update().filter(pk=progress_id).first()
            if row is None or row.finished:
                return  # its starter's transaction rolled back, or it was already settled
            row.status, row.attempts, row.error = Status.RUNNING, row.attempts + 1, ""
            row.started_at = row.started_at or timezone.now()
            row.save(update_fields=["status", "attempts", "error", "started_at", "updated_at"])
        try:
            function(Progress(progress_id), **kwargs)
        except BaseException as error:  # also SystemExit: the worker forced to stop mid-task
            _settle(progress_id, Status.FAILED, error=describe(error))
            raise
        _settle(progress_id, Status.DONE)

    return task()(run)


def describe(error: BaseException) -> str:
    """The error as its starter reads it: the message, or the kind of error when it has none."""
    if isinstance(error, SystemExit | KeyboardInterrupt):
        return "The worker was stopped during this task; start it again."
    text = str(error).strip() or type(error).__name__
    return text if len(text) < 2000 else text[:2000] + "…"


def _settle(progress_id: int, status: str, *, error: str = "") -> None:
    TaskProgress.objects.filter(pk=progress_id).update(
        status=status, error=error, finished_at=timezone.now(), updated_at=timezone.now()
    )


def start(queued: Task, *, title: str, by: User | None, key: str = "", **kwargs) -> TaskProgress:
    """Queue `queued` (a @tracked_task) with `kwargs` (JSON values) in the caller's transaction.

    With a `key`, work already waiting under that key is not queued again: its TaskProgress is returned.
    """
    if key:
        waiting = TaskProgress.objects.filter(key=key, status=Status.QUEUED).first()
        if waiting is not None:
            return waiting
    progress = TaskProgress.objects.create(
        title=title[:200], task_path=queued.module_path, key=key, started_by=by
    )
    result = queued.enqueue(progress_id=progress.pk, **kwargs)
    TaskProgress.objects.filter(pk=progress.pk).update(result_id=str(result.id))
    progress.refresh_from_db()
    return progress


def runs_at_once() -> bool:
    """Whether the queue runs each task at once in the process that asks (the tests, `make run`)."""
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task_backends["default"], ImmediateBackend)


def visible_tasks(user: User):
    """The tasks `user` may follow: those they started; staff see everyone's (and the system's)."""
    if user.is_staff or user.is_superuser:
        return TaskProgress.objects.all()
    return TaskProgress.objects.filter(started_by=user)


def recover_abandoned(
    *, lease: dt.timedelta, worker_id: str = "", now: dt.datetime | None = None
) -> list[str]:
    """Take back tasks claimed by a worker that stopped: queued again, or failed after the last attempt.

    A claimed task is abandoned when neither its claim nor its last progress write is younger than
    `lease`, or, at once, when its worker was `worker_id` (that worker is starting again, so it is not
    running it). Returns one line per task taken back.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    lines = []
    with transaction.atomic():
        for row in DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING):
            progress = TaskProgress.objects.filter(result_id=str(row.id)).first()
            alive_at = max(filter(None, [row.started_at, progress and progress.updated_at]))
            last_worker = row.worker_ids[-1] if row.worker_ids else ""
            if not (now - alive_at > lease or (worker_id and last_worker == worker_id)):
                continue
            attempts = len(row.worker_ids)
            if attempts < settings.TASK_MAX_ATTEMPTS:
                row.status = TaskResultStatus.READY
                row.save(update_fields=["status"])
                if progress is not None:
                    progress.status = Status.QUEUED
                    progress.message = f"The worker stopped during attempt {attempts}; queued to run again."
                    progress.save(update_fields=["status", "message", "updated_at"])
                lines.append(f"{row.task_path} {row.id}: worker {last_worker} stopped; queued again")
                continue
            reason = f"The worker stopped during this task {attempts} times; it was not finished."
            row.set_failed(WorkerLost(reason))
            if progress is not None:
                _settle(progress.pk, Status.FAILED, error=reason)
            lines.append(f"{row.task_path} {row.id}: {reason}")
    for line in lines:
        log.warning("task taken back: %s", line)
    return lines


def follow(progress: TaskProgress, *, file, poll_seconds: float = 0.5) -> TaskProgress:
    """`--wait`: draw the task's progress on the command line (a rich bar) until it is done or failed."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Bar(*columns, console=Console(file=file), transient=False) as bar:
        line = bar.add_task(progress.title, total=None)
        while True:
            progress.refresh_from_db()
            described = f"{progress.title}: {progress.message or progress.get_status_display()}"
            bar.update(line, completed=progress.done, total=progress.total, description=described)
            if progress.finished:
                return progress
            time.sleep(poll_seconds)


def forget_finished(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete what finished more than `older_than` ago: progress rows, their files and the queue's rows.

    The worker calls it once an hour (TRIALDESK_TASK_KEEP_DAYS), so neither table grows without end.
    Returns how many progress rows went.
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - older_than
    old = TaskProgress.objects.filter(status__in=[Status.DONE, Status.FAILED], finished_at__lt=cutoff)
    for pk, file_name in old.exclude(file_name="").values_list("pk", "file_name"):
        file_path(pk, file_name).unlink(missing_ok=True)
    count, _ = old.delete()
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    DBTaskResult.objects.filter(status__in=finished, finished_at__lt=cutoff).delete()
    return count
