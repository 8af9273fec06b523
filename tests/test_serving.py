"""Serving Trialdesk for real (issue 19 §1): `trialdesk serve` under gunicorn with hashed, compressed static
files served by whitenoise, the liveness and readiness probes, a request id on every answer and log line,
and log lines as JSON."""

import json
import logging
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from tests.browser.live import free_port, wait_until_answering
from trialdesk.core import probes
from trialdesk.core.request_log import JsonFormatter, WithRequestId

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def anonymous():
    return Client()


@pytest.mark.django_db
def test_healthz_and_readyz_answer_anyone_and_say_nothing_else(anonymous):
    for path in ("/healthz", "/readyz"):
        response = anonymous.get(path)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        assert "no-store" in response["Cache-Control"]
        assert anonymous.post(path).status_code == 405


@pytest.mark.django_db
def test_readyz_is_unavailable_when_a_check_fails_and_keeps_the_cause_for_the_log(
    anonymous, monkeypatch, caplog, tmp_path, settings
):
    monkeypatch.setattr(probes, "_database_problem", lambda: "3 migration(s) not applied")
    response = anonymous.get("/readyz")
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}
    assert "migration" not in response.content.decode()
    assert "database: 3 migration(s) not applied" in caplog.text
    monkeypatch.setattr(probes, "_database_problem", lambda: None)
    settings.DATA_DIR = tmp_path / "gone"  # the data directory is missing
    assert anonymous.get("/readyz").status_code == 503
    assert "data directory" in caplog.text
    assert anonymous.get("/healthz").status_code == 200  # the process still answers


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "kept"),
    [("edge-7f3a.2", True), ("x" * 65, False), ("two words", False), ("a\nb", False), ("", False)],
)
def test_every_answer_carries_a_request_id_a_plain_one_from_the_proxy_kept(anonymous, given, kept):
    response = anonymous.get("/healthz", headers={"X-Request-ID": given} if given else {})
    request_id = response["X-Request-ID"]
    assert (request_id == given) if kept else re.fullmatch(r"[0-9a-f]{32}", request_id)


def test_log_lines_are_json_with_the_request_id():
    class Request:
        method, path, request_id = "GET", "/studies/7/", "req-1"

    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "GET %s 404", ("/x",), None)
    record.request, record.status_code = Request(), 404
    WithRequestId().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-1" and line["status"] == 404 and line["message"] == "GET /x 404"
    assert (line["level"], line["logger"], line["method"], line["path"]) == (
        "WARNING",
        "django.request",
        "GET",
        "/studies/7/",
    )
    assert line["time"].endswith("+00:00")
    outside = logging.LogRecord("trialdesk", logging.ERROR, __file__, 1, "boom", (), None)
    WithRequestId().filter(outside)
    assert json.loads(JsonFormatter().format(outside))["request_id"] == "-"


@pytest.mark.django_db
def test_static_files_are_served_by_the_application(anonymous):
    response = anonymous.get("/static/trialdesk/trialdesk.css")
    assert response.status_code == 200 and "text/css" in response["Content-Type"]


def _environment(data_dir: Path, **extra) -> dict:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")},
        "TRIALDESK_DATA_DIR": str(data_dir),  # a temporary SQLite database of its own
        "SECRET_KEY": "serve-test-" + "k" * 50,
        "TRIALDESK_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "trialdesk.settings",
    }
    return {**environment, **extra}


def test_serve_refuses_debug_and_a_bad_worker_count(tmp_path):
    for arguments, extra, words in (
        ([], {"DEBUG": "1"}, "without DEBUG"),
        (["--workers", "0"], {}, "--workers"),
        (["--bind", "8000"], {}, "--bind"),
    ):
        done = subprocess.run(
            [BIN / "trialdesk", "serve", *arguments],
            env=_environment(tmp_path, **extra),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0 and words in done.stderr, done.stderr


def test_serve_runs_gunicorn_with_hashed_compressed_static_files(tmp_path):
    environment = _environment(tmp_path)
    subprocess.run([BIN / "trialdesk", "migrate", "--no-input", "-v0"], env=environment, cwd=ROOT, check=True)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [BIN / "trialdesk", "serve", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        env=environment,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/healthz", process, timeout=120)
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as ready:
            assert json.load(ready) == {"status": "ok"}
        with urllib.request.urlopen(f"{base}/login/", timeout=10) as page:
            assert page.headers["Server"].startswith("gunicorn")
            html = page.read().decode()
        stylesheet = re.search(r'href="(/static/trialdesk/trialdesk\.[0-9a-f]{12}\.css)"', html)
        assert stylesheet, "the page names the stylesheet by its hashed name"
        request = urllib.request.Request(base + stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as static:
            assert static.headers["Content-Encoding"] == "gzip"
            assert "immutable" in static.headers["Cache-Control"]
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert (tmp_path / "static" / "staticfiles.json").is_file()
