"""Background work (core.tasks, `trialdesk worker`): a task's progress and error reach the person who
started it, a task whose worker died is run again (after its lease, or at once when that worker
restarts), a task that keeps dying is failed with the reason, and nothing is lost silently."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from tests.factories import make_user
from trialdesk.core import tasks
from trialdesk.core.models import TaskProgress

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@tasks.tracked_task
def count_to(progress: tasks.Progress, *, to: int) -> None:
    progress.update(done=0, total=to, message="counting")
    for number in range(1, to + 1):
        progress.update(done=number, message=f"at {number}")
    progress.attach(b"counted", filename="count.txt")


@tasks.tracked_task
def fail_with(progress: tasks.Progress, *, reason: str) -> None:
    raise ValueError(reason)


@pytest.fixture
def queue(settings, monkeypatch):
    """The database queue (the tests otherwise run tasks at once), inside the test's transaction: the
    worker's check for stale connections would close the connection that holds it."""
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def anna(db):
    return make_user("anna")


def run_worker(*arguments: str) -> str:
    out = io.StringIO()
    call_command("worker", "--batch", *arguments, stdout=out)
    return out.getvalue()


def test_a_task_run_at_once_records_its_progress_and_file(anna):
    progress = tasks.start(count_to, title="Count", by=anna, to=3)
    assert (progress.status, progress.done, progress.total, progress.message) == ("done", 3, 3, "at 3")
    assert tasks.file_path(progress.pk, progress.file_name).read_bytes() == b"counted"


def test_a_task_that_raises_is_failed_with_its_error_for_its_starter(anna):
    progress = tasks.start(fail_with, title="Fail", by=anna, reason="The site list has no site 301.")
    assert progress.status == "failed" and progress.error == "The site list has no site 301."


def test_work_asked_again_while_waiting_is_not_queued_twice(queue, anna):
    first = tasks.start(count_to, title="Count", by=anna, key="count", to=2)
    again = tasks.start(count_to, title="Count", by=anna, key="count", to=2)
    assert again.pk == first.pk and DBTaskResult.objects.count() == 1
    assert "Ran 1 task(s)." in run_worker()
    assert TaskProgress.objects.get(pk=first.pk).status == "done"
    assert tasks.start(count_to, title="Count", by=anna, key="count", to=2).pk != first.pk


def test_a_task_claimed_by_a_worker_that_died_runs_when_that_worker_restarts(queue, anna):
    progress = tasks.start(count_to, title="Count", by=anna, to=2)
    # Worker w1 claims it and dies mid-task (killed): the row stays "running", its progress half done.
    DBTaskResult.objects.get().claim("w1")
    TaskProgress.objects.filter(pk=progress.pk).update(status="running", attempts=1, done=1, total=2)
    assert "Ran" not in run_worker("--worker-id", "w2")  # another worker leaves it: its lease holds
    out = run_worker("--worker-id", "w1")
    assert "worker w1 stopped; queued again" in out and "Ran 1 task(s)." in out
    progress.refresh_from_db()
    assert (progress.status, progress.attempts, progress.done) == ("done", 2, 2)
    assert DBTaskResult.objects.get().worker_ids == ["w1", "w1"]


def test_after_its_lease_a_silent_task_is_taken_back_by_any_worker(queue, anna):
    progress = tasks.start(count_to, title="Count", by=anna, to=1)
    DBTaskResult.objects.get().claim("gone")
    long_ago = timezone.now() - dt.timedelta(minutes=20)
    DBTaskResult.objects.update(started_at=long_ago)
    TaskProgress.objects.filter(pk=progress.pk).update(status="running", attempts=1)
    TaskProgress.objects.filter(pk=progress.pk).update(updated_at=long_ago)
    assert "Ran 1 task(s)." in run_worker("--lease", "600")
    assert TaskProgress.objects.get(pk=progress.pk).status == "done"


def test_a_task_whose_worker_keeps_dying_is_failed_with_the_reason(queue, anna, settings):
    settings.TASK_MAX_ATTEMPTS = 2
    progress = tasks.start(count_to, title="Count", by=anna, to=1)
    DBTaskResult.objects.get().claim("w1")
    DBTaskResult.objects.get().claim("w1")  # its second attempt died as well
    out = run_worker("--worker-id", "w1")
    assert "stopped during this task 2 times" in out and "Ran" not in out
    progress.refresh_from_db()
    assert progress.status == "failed" and "2 times; it was not finished" in progress.error
    assert DBTaskResult.objects.get().status == "FAILED"


def test_a_task_that_raises_in_the_worker_is_failed_and_not_retried(queue, anna):
    progress = tasks.start(fail_with, title="Fail", by=anna, reason="No such file.")
    run_worker()
    progress.refresh_from_db()
    assert (progress.status, progress.error, progress.attempts) == ("failed", "No such file.", 1)
    assert "ValueError: No such file." in DBTaskResult.objects.get().traceback


def test_the_worker_refuses_to_start_without_the_database_queue(db):
    with pytest.raises(CommandError, match="no worker is needed"):
        call_command("worker", "--batch")


def test_the_task_page_is_its_starters_and_polls_until_done(queue, anna, client):
    other = make_user("otto")
    staff = make_user("root", superuser=True)
    progress = tasks.start(count_to, title="Count to two", by=anna, to=2)
    url = f"/tasks/{progress.pk}/"
    client.force_login(other)
    assert client.get(url).status_code == 404 and client.get(url + "file").status_code == 404
    client.force_login(anna)
    page = client.get(url).content.decode()
    assert "Count to two" in page and 'hx-trigger="every 2s"' in page and "Waiting for a worker" in page
    assert client.get(url + "file").status_code == 404  # not done yet
    run_worker()
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "every 2s" not in partial and "Download count.txt" in partial
    assert b"".join(client.get(url + "file").streaming_content) == b"counted"
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_what_finished_long_ago_is_forgotten_with_its_file(queue, anna):
    old = tasks.start(count_to, title="Count", by=anna, to=1)
    run_worker()
    old.refresh_from_db()
    recent = tasks.start(count_to, title="Count", by=anna, to=1)
    later = old.finished_at + dt.timedelta(days=15)
    TaskProgress.objects.filter(pk=recent.pk).update(status="done", finished_at=later)
    assert tasks.forget_finished(older_than=dt.timedelta(days=14), now=later) == 1
    assert list(TaskProgress.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not tasks.file_path(old.pk, old.file_name).exists()
    assert DBTaskResult.objects.count() == 1  # the recent one's row, still waiting in the queue
