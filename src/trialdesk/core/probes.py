"""Liveness and readiness probes for a load balancer or orchestrator: `/healthz` (the process answers) and
`/readyz` (the database answers, every migration is applied, the data directory takes files). Both are
unauthenticated and say only "ok" or "unavailable"; the cause of a failed check goes to the log."""

import logging
import tempfile

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


# Set once every migration was found applied: loading the migration graph costs about 7 ms a probe
# (against 0.4 ms for /healthz), and a running process never sees migrations unapplied, only new ones
# applied before it is restarted with the code that has them.
_migrated = False


def _database_problem() -> str | None:
    global _migrated
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if _migrated:
        return None
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrated = not pending
    return f"{len(pending)} migration(s) not applied" if pending else None


def _data_dir_problem() -> str | None:
    with tempfile.NamedTemporaryFile(dir=settings.DATA_DIR, prefix=".readyz-"):
        return None


@never_cache
@require_safe
def readyz(request):
    problems = []
    for name, check in (("database", _database_problem), ("data directory", _data_dir_problem)):
        try:
            problem = check()
        except Exception as error:  # any failure of a check means not ready; its cause is logged
            problem = f"{type(error).__name__}: {error}"
        if problem:
            problems.append(f"{name}: {problem}")
    if problems:
        log.error("not ready: %s", "; ".join(problems))
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
