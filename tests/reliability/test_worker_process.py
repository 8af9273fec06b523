"""A task survives its worker being killed: `trialdesk worker` runs as an OS process on a SQLite file,
is killed (SIGKILL) mid-task, and a new worker started under the same --worker-id takes the task back
at once and finishes it (core.tasks.recover_abandoned), on its second attempt.

The database file holds only the tables the queue uses (users, TaskProgress, the queue's rows), made
with the schema editor: migrating a fresh one takes longer than this whole test may.
"""

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from trialdesk.core import tasks

ROOT = Path(__file__).resolve().parents[2]
TRIALDESK = ROOT / ".venv" / "bin" / "trialdesk"
pytestmark = pytest.mark.one_database  # the workers share a SQLite file


@tasks.tracked_task
def stalls_on_first_attempt(progress: tasks.Progress, *, folder: str) -> None:
    """Marks each attempt in `folder`; the first one stalls (to be killed), a later one finishes."""
    attempt = len(list(Path(folder).glob("attempt-*"))) + 1
    progress.update(done=0, total=2, message=f"attempt {attempt}")
    if attempt == 1:
        progress.update(done=1, message="stalling")
        # Marked only once its progress is written: the test kills the worker as soon as it sees the mark.
        (Path(folder) / "attempt-1").touch()
        time.sleep(60)
    (Path(folder) / f"attempt-{attempt}").touch()
    progress.update(done=2, message="finished")


def environment(tmp_path) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return env | {
        "TRIALDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "trialdesk.settings",
        "TRIALDESK_TASK_BACKEND": "database",
        "DEBUG": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def worker(env, *args) -> subprocess.Popen:
    command = [str(TRIALDESK), "worker", "--skip-checks", "--worker-id", "w1", "--interval", "0.1", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(path: Path, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


@pytest.fixture
def queued_file(tmp_path, django_db_blocker):
    """A SQLite file with the queue's tables and one task queued in them, written from this process
    through a connection of its own (a `trialdesk shell` would cost a third process's start)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from trialdesk.core.models import TaskProgress, User

    if connections["default"].vendor != "sqlite":
        pytest.skip("the worker processes share a SQLite file")
    path, alias, marks = tmp_path / "trialdesk.sqlite3", "worker_process_file", tmp_path / "marks"
    marks.mkdir()
    connections.settings[alias] = {**connections["default"].settings_dict, "NAME": str(path)}
    try:
        with django_db_blocker.unblock():
            with connections[alias].schema_editor() as editor:
                for model in (ContentType, Permission, Group, User, TaskProgress, DBTaskResult):
                    editor.create_model(model)
            task = stalls_on_first_attempt
            progress = TaskProgress.objects.using(alias).create(title="Stalls", task_path=task.module_path)
            queued = DBTaskResult.objects.using(alias).create(
                args_kwargs={"args": [], "kwargs": {"progress_id": progress.pk, "folder": str(marks)}},
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                backend_name="default",
            )
            TaskProgress.objects.using(alias).filter(pk=progress.pk).update(result_id=str(queued.id))
            connections[alias].close()
    finally:
        del connections[alias]
        del connections.settings[alias]
    return path, marks


def test_a_task_whose_worker_is_killed_is_finished_by_the_worker_restarted(queued_file, tmp_path):
    env = environment(tmp_path)
    database_file, marks = queued_file
    first = worker(env)
    try:
        wait_for(marks / "attempt-1", seconds=30)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    with sqlite3.connect(database_file) as db:
        assert db.execute("SELECT status FROM django_tasks_database_dbtaskresult").fetchone() == ("RUNNING",)
        assert db.execute("SELECT status, done FROM core_taskprogress").fetchone() == ("running", 1)

    second = worker(env, "--batch")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert "worker w1 stopped; queued again" in out and "Ran 1 task(s)." in out
    with sqlite3.connect(database_file) as db:
        progress = db.execute("SELECT status, attempts, done, message FROM core_taskprogress").fetchone()
        queue = db.execute("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult").fetchone()
    assert progress == ("done", 2, 2, "finished")
    assert queue == ("SUCCESSFUL", '["w1", "w1"]')
    assert sorted(path.name for path in marks.iterdir()) == ["attempt-1", "attempt-2"]
