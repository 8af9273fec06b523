"""Locust users for the HTTP load test (benchmarks/locust_serve.py runs them; issue 19 §1 and §2).

`LOCUST_SCENARIO=reads` (default): before the users start, one sign-in as `LOCUST_USERNAME` (generate.py's
bench_crm, password `LOCUST_PASSWORD`) through the sign-in page, as a browser does it (CSRF token, form
post); every user then carries that session and reads, without pause, the portfolio page, the study list
API and a study page of one of the studies that list returned. One sign-in, not one per user: signing in
is an Argon2 hash on purpose (tenths of a second of CPU), and fifty of them would be the whole run.
`LOCUST_SCENARIO=minimal`: each user reads `/healthz`, the minimal Django view served the same way (every
middleware, no query).

Each read's time and outcome is recorded here, and when the run stops the requests per second, the median,
the 95th percentile and the errors are written as JSON to `LOCUST_SUMMARY`.
"""

import json
import os
import random
import re
import time

import requests
from locust import FastHttpUser, events, task

SCENARIO = os.environ.get("LOCUST_SCENARIO", "reads")
READS = {"portfolio page", "study list API", "study page", "minimal view (/healthz)"}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_samples: list[float] = []
_errors = {"count": 0}
_window = {"first": None, "last": None}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    if name not in READS:
        return
    now = time.monotonic()
    if _window["first"] is None:
        _window["first"] = now
    _window["last"] = now
    _samples.append(response_time)
    if exception is not None:
        _errors["count"] += 1


@events.test_stop.add_listener
def _summary(**kwargs):
    path = os.environ.get("LOCUST_SUMMARY")
    if not path:
        return
    ordered = sorted(_samples)
    seconds = (_window["last"] - _window["first"]) if _samples else 0.0
    summary = {
        "requests": len(ordered),
        "errors": _errors["count"],
        "seconds": round(seconds, 3),
        "requests_per_second": round(len(ordered) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(ordered[len(ordered) // 2], 1) if ordered else None,
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)
        if ordered
        else None,
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(summary, out)


_signed_in = {"cookie": "", "study_ids": []}


@events.test_start.add_listener
def _sign_in(environment, **kwargs):
    """Sign in once through the sign-in page; the users share the session and the study ids."""
    if SCENARIO != "reads":
        return
    browser = requests.Session()
    host = environment.host.rstrip("/")
    page = browser.get(host + "/login/", timeout=120)
    token = CSRF_INPUT.search(page.text)
    answer = browser.post(
        host + "/login/",
        data={
            "username": os.environ.get("LOCUST_USERNAME", "bench_crm"),
            "password": os.environ.get("LOCUST_PASSWORD", "trialdesk-bench"),
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": host + "/login/"},
        timeout=120,
    )
    if "/login/" in answer.url or "sessionid" not in browser.cookies:
        raise RuntimeError(f"sign-in refused ({answer.status_code} at {answer.url})")
    _signed_in["cookie"] = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    listed = browser.get(host + "/api/v1/studies?limit=50", timeout=120)
    listed.raise_for_status()
    _signed_in["study_ids"] = [item["id"] for item in listed.json()["items"]]


class Reader(FastHttpUser):
    """A signed-in CRM reading the portfolio, the study list API and a study page, one after another."""

    @task
    def read(self):
        if SCENARIO != "reads":
            self.client.get("/healthz", name="minimal view (/healthz)")
            return
        self.signed_in_read("/", "portfolio page")
        self.signed_in_read("/api/v1/studies?limit=50", "study list API")
        self.signed_in_read(f"/studies/{random.choice(_signed_in['study_ids'])}/", "study page")

    def signed_in_read(self, path: str, name: str) -> None:
        """A read that must answer 200 to the signed-in user (a page sent to sign in is an error)."""
        cookie = {"Cookie": _signed_in["cookie"]}
        with self.client.get(path, name=name, headers=cookie, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/login/" in (response.url or ""):
                response.failure("sent to sign in")
