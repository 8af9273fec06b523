"""Production settings: no start without SECRET_KEY unless DEBUG, HTTPS on by default, `check --deploy`
clean with the environment README.md documents, a Content-Security-Policy on every page and
`Cache-Control: no-store` on what a signed-in person sees and on the API."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import trialdesk.settings

ROOT = Path(__file__).resolve().parents[4]
SETTINGS_FILE = trialdesk.settings.__file__
KNOBS = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL")


def settings_with(monkeypatch, **environment) -> dict:
    """The settings module as it reads under exactly `environment` (and nothing else of Trialdesk's)."""
    for name in list(os.environ):
        if name in KNOBS or name.startswith("TRIALDESK_"):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


def production_environment() -> dict[str, str]:
    """The environment of README.md's "Running Trialdesk for real", with a fresh key for its placeholder."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running Trialdesk for real", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    environment = dict(re.findall(r"^([A-Z_]+)=(\S+)$", block, flags=re.MULTILINE))
    assert {"SECRET_KEY", "ALLOWED_HOSTS"} <= set(environment), block
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    return environment


def test_without_secret_key_production_refuses_to_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        settings_with(monkeypatch)


def test_without_secret_key_debug_starts_with_the_development_key(monkeypatch):
    loaded = settings_with(monkeypatch, DEBUG="1")
    assert loaded["SECRET_KEY"] == "trialdesk-insecure-development-key-change-me"


def test_production_is_https_with_hsts_and_secure_cookies_by_default(monkeypatch):
    loaded = settings_with(monkeypatch, SECRET_KEY="k" * 60)
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 31536000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SECURE_HSTS_PRELOAD"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is True and loaded["CSRF_COOKIE_SECURE"] is True
    assert "SECURE_PROXY_SSL_HEADER" not in loaded


def test_debug_is_plain_http(monkeypatch):
    loaded = settings_with(monkeypatch, DEBUG="1")
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    assert loaded["SESSION_COOKIE_SECURE"] is False and loaded["CSRF_COOKIE_SECURE"] is False


def test_each_https_knob_can_be_set_on_its_own(monkeypatch):
    loaded = settings_with(
        monkeypatch,
        SECRET_KEY="k" * 60,
        TRIALDESK_HTTPS_REDIRECT="0",
        TRIALDESK_HSTS_SECONDS="600",
        TRIALDESK_HSTS_PRELOAD="1",
        TRIALDESK_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 600 and loaded["SECURE_HSTS_PRELOAD"] is True
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert loaded["SILENCED_SYSTEM_CHECKS"] == []
    assert (
        settings_with(monkeypatch, SECRET_KEY="k" * 60, TRIALDESK_HTTPS="0")["SECURE_SSL_REDIRECT"] is False
    )


def test_check_deploy_with_the_documented_production_environment_reports_no_issues(tmp_path):
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "TRIALDESK_DATA_DIR": str(tmp_path),
        **production_environment(),
    }
    checked = subprocess.run(
        [Path(sys.executable).parent / "trialdesk", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_the_development_environment_is_what_check_deploy_warns_about(tmp_path):
    environment = {"PATH": os.environ["PATH"], "TRIALDESK_DATA_DIR": str(tmp_path), "DEBUG": "1"}
    checked = subprocess.run(
        [Path(sys.executable).parent / "trialdesk", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W018"):
        assert warning in checked.stderr, warning


# --- headers on every response ------------------------------------------------------------------


def test_every_page_has_the_content_security_policy(world, client, client_for, settings):
    policy = settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
    assert client.get("/login/")["Content-Security-Policy"] == policy
    crm = client_for(world.crm)
    assert crm.get("/")["Content-Security-Policy"] == policy
    assert crm.get("/", headers={"HX-Request": "true"})["Content-Security-Policy"] == policy
    assert crm.get(f"/studies/{world.study_a.pk}/?tab=milestones")["Content-Security-Policy"] == policy


@pytest.mark.parametrize("path", ["/", "/me/", "/studies/{study}/", "/studies/{study}/?tab=history"])
def test_pages_a_signed_in_person_sees_are_not_stored(world, client_for, path):
    response = client_for(world.crm).get(path.format(study=world.study_a.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_api_answers_are_not_stored_signed_in_or_not(world, client, client_for):
    assert "no-store" in client_for(world.crm).get("/api/v1/studies")["Cache-Control"]
    anonymous = client.get("/api/v1/studies")
    assert anonymous.status_code == 401 and "no-store" in anonymous["Cache-Control"]


def test_the_api_docs_render_from_static_files_under_the_policy(world, client_for, settings):
    response = client_for(world.crm).get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts, html
    for attributes in scripts:
        # Executable scripts come from this site's static files; the settings are a JSON data block.
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes, attributes
    assert "<style" not in html and " style=" not in html
