"""A selector never writes (STYLE.md: reads in `selectors`, writes in `services`), and neither does a GET.

Two checks. The source of every selectors module (`<app>/selectors.py`, `<app>/selectors/*.py`, and the
same below subpackages) is read (AST) for ORM writes and for imports of the write path. Then the pages a
CRM reaches from the portfolio and a study's tabs are fetched with GET while every SQL statement is
watched: none may INSERT, UPDATE or DELETE a Trialdesk table (the session's own row aside). The state
after `trialdesk demo --reset` is set up first (the reference authorities wiped), since a selector that
"loads on first use" writes only then.
"""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import connection

SOURCE = Path(__file__).resolve().parent.parent / "src" / "trialdesk"

# Methods that write through the ORM whatever they are called on (no read-only type has them).
ORM_WRITES = {"save", "delete", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# Modules a read has no business importing: the write path and every app's services.
WRITE_MODULES = re.compile(r"^trialdesk\.(core\.records|core\.audit|\w+\.services)(\.|$)")
WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# Written on a GET by design: the idle timeout's activity mark (core.middleware), not trial data.
WRITABLE_ON_GET = ("django_session",)
MOST_PAGES = 120


def selector_modules() -> list[Path]:
    found = set(SOURCE.rglob("selectors.py")) | set(SOURCE.rglob("selectors/*.py"))
    return sorted(p for p in found if "tests" not in p.parts and "migrations" not in p.parts)


def writes_in(path: Path) -> list[str]:
    """'line N: what' for each ORM write or write-path import in the module's source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            # QuerySet.update takes keywords only; dict.update and set.update take a positional argument.
            queryset_update = method == "update" and node.keywords and not node.args
            if method in ORM_WRITES or queryset_update:
                found.append(f"line {node.lineno}: .{method}(...)")
            if method in ("execute", "executemany", "raw"):
                found.append(f"line {node.lineno}: raw SQL .{method}(...)")
        modules = []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        found += [f"line {node.lineno}: imports {m}" for m in modules if WRITE_MODULES.match(m)]
    return found


def test_there_are_selector_modules_to_check():
    assert len(selector_modules()) >= 10


@pytest.mark.parametrize("path", selector_modules(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_selector_module_has_no_write(path):
    assert writes_in(path) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Authority.objects.get_or_create(code='FDA')", ["line 1: .get_or_create(...)"]),
        ("Forecast.objects.filter(study=s).update(state='x')", ["line 1: .update(...)"]),
        ("snapshot.save()", ["line 1: .save(...)"]),
        ("from trialdesk.statistics import services", ["line 1: imports trialdesk.statistics.services"]),
        ("from trialdesk.core import records", ["line 1: imports trialdesk.core.records"]),
        ("found.update(rows)\nseen.update(batch(ids, after=after))", []),
    ],
)
def test_the_source_check_finds_writes_and_lets_reads_be(tmp_path, source, expected):
    """The check itself: it would have caught the writes it was written for, and passes a dict update."""
    path = tmp_path / "selectors.py"
    path.write_text(source)
    assert writes_in(path) == expected


# GET pages -----------------------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.found += [value for name, value in attrs if name == "href" and value]


def same_site_links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    links = []
    for href in parser.found:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if url and not parts.scheme and not parts.netloc and url.startswith("/") and "logout" not in url:
            links.append(url)
    return links


@pytest.fixture
def writes():
    """Every INSERT, UPDATE or DELETE of a Trialdesk table run while the test watches."""
    seen: list[str] = []

    def watch(execute, sql, params, many, context):
        if WRITE_SQL.match(sql) and not any(table in sql for table in WRITABLE_ON_GET):
            seen.append(sql.split(" WHERE ")[0][:200])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield seen


def test_no_get_page_a_crm_reaches_writes(world, client_for, writes):
    from trialdesk.regulatory.models import RegulatoryAuthority

    RegulatoryAuthority.objects.all().delete()  # as after `trialdesk demo --reset`
    client = client_for(world.crm)  # signing in records the login
    writes.clear()
    queue = ["/", f"/studies/{world.study_a.pk}/", "/api/v1/regulatory-authorities"]
    visited: dict[str, list[str]] = {}
    while queue and len(visited) < MOST_PAGES:
        url = queue.pop(0)
        if url in visited:
            continue
        response = client.get(url)
        visited[url] = list(writes)
        writes.clear()
        if response.get("Content-Type", "").startswith("text/html") and response.status_code == 200:
            queue += [link for link in same_site_links(response.content.decode()) if link not in visited]
    assert {url: found for url, found in visited.items() if found} == {}
    assert any("tab=forecast" in url for url in visited), "the crawl reached no study tab"
