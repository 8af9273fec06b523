"""Every page and API route, checked against every named person: out of scope is 404, read-only is 403.

The routes come from Django's URL resolver and the API's OpenAPI document, so a new endpoint is
checked the day it is added; one whose parameters this test cannot fill fails until it is taught.
"""

import importlib
import io
import re
from dataclasses import dataclass

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import make_participant
from trialdesk.api import api
from trialdesk.core import extensions
from trialdesk.core.services import create_api_token
from trialdesk.randomization.tests.factories import make_scheme
from trialdesk.subjects.tests.factories import (
    make_consent_version,
    make_diversity_target,
    make_screening_entry,
)
from trialdesk.visits.tests.factories import build_visit_world

# The every-route sweep and the fuzz run once, on SQLite (conftest.py: one_database).
pytestmark = pytest.mark.one_database

PEOPLE = ("admin", "crm", "monitor", "coordinator", "auditor", "sponsor_viewer", "outsider")
# Subject-level data (participant and screening numbers, AE verbatim terms and narratives) and who may
# see each: filled as the test objects are made (here and in the apps' scoping cases). Every response a
# person gets — page, API, export, feed — is searched for the ones they may not see.
SUBJECT_SECRETS: dict[str, frozenset[str]] = {}
# Downloads that answer in more than one format: each format is searched.
FORMAT_VARIANTS = {
    "studies/<int:study_id>/history/export/": ("?format=csv", "?format=json"),
    "studies/<int:study_id>/line-listing/": ("", "?format=csv", "?format=xlsx"),
}
# Pages and API lists that show nothing without a query (the search): asked for what each person may or
# may not see (studies, institutions, cities, participant and screening numbers).
SEARCHES = ("?q=Study", "?q=Hospital", "?q=Tokyo", "?q=01", "?q=S-")
LIST_QUERIES = {"search/": SEARCHES, "/api/v1/search": SEARCHES}
READ_ONLY = ("auditor", "sponsor_viewer")
SUBJECT_BLIND = ("sponsor_viewer",)  # of PEOPLE, those in roles.SUBJECT_BLIND_ROLES
# Pages that are about the signed-in person, not trial data.
PERSONAL_PAGES = re.compile(r"^(login|logout|me)(/|$)")
PAGE_SKIP = re.compile(r"^(api/v1/|static/)")


@dataclass(frozen=True)
class Case:
    """One object to put in a route, and who may see it.

    `together_with` fills a route's further parameters that belong to this object, e.g. a role
    assignment of the user in ``people/<user_id>/roles/<role_assignment_id>/revoke/``.
    """

    label: str
    object_id: int
    visible_to: frozenset[str]
    together_with: tuple[tuple[str, int], ...] = ()

    def values(self, parameter: str) -> dict[str, int]:
        return {parameter: self.object_id, **dict(self.together_with)}


def cases_by_parameter(world, crm_token) -> dict[str, list[Case]]:
    on_a1 = frozenset({"admin", "crm", "monitor", "auditor", "sponsor_viewer"})
    on_a_not_a1 = frozenset({"admin", "crm", "auditor", "sponsor_viewer"})
    on_b = frozenset({"admin", "coordinator"})
    # Sponsor viewers see no subject-level identifiers (SPEC.md): participant records are closed to them.
    subjects_a1 = on_a1 - {"sponsor_viewer"}
    arm_a = world.study_a.arms.get()
    participant_a1 = make_participant(world.site_a1, "101-001", by=world.admin)
    scheme_a = make_scheme(world.study_a, by=world.admin)  # adds arm B: after arm_a is looked up
    participant_b1 = make_participant(world.site_b1, "201-001", by=world.admin)
    entry_a1 = make_screening_entry(world.site_a1, "S-101-01", by=world.admin)
    entry_b1 = make_screening_entry(world.site_b1, "S-201-01", by=world.admin)
    consent_version_a = make_consent_version(world.study_a, by=world.admin, approved_at=[world.site_a1])
    SUBJECT_SECRETS.clear()
    SUBJECT_SECRETS.update(
        {"101-001": subjects_a1, "201-001": on_b, "S-101-01": subjects_a1, "S-201-01": on_b}
    )
    diversity_target_a = make_diversity_target(world.study_a, by=world.admin)
    later_apps = {}
    # Apps added later give their own objects and who may see them (their tests/scoping.py, registered
    # in core.extensions.scoping_cases).
    for path in extensions.scoping_cases:
        later_apps |= importlib.import_module(path).scoping_cases(
            world,
            participant_a1,
            participant_b1,
            on_a1=on_a1,
            on_a_not_a1=on_a_not_a1,
            study_wide=on_a1,
            on_b=on_b,
        )
    return {
        "study_id": [Case("study A", world.study_a.pk, on_a1), Case("study B", world.study_b.pk, on_b)],
        "protocol_version_id": [Case("protocol of A", world.protocol_a.pk, on_a1)],
        "arm_id": [Case("arm of A", arm_a.pk, on_a1)],
        "milestone_id": [
            Case("study milestone of A", world.milestone_a.pk, on_a1),
            Case("site milestone of A2", world.site_milestone_a2.pk, on_a_not_a1),
        ],
        "study_site_id": [
            Case("site A1", world.site_a1.pk, on_a1),
            Case("site A2", world.site_a2.pk, on_a_not_a1),
            Case("site B1", world.site_b1.pk, on_b),
        ],
        # Institutions are a directory for CRMs; others see the institutions of their own sites.
        "institution_id": [
            Case("institution of A1", world.site_a1.institution_id, on_a1),
            Case("institution of A2", world.site_a2.institution_id, on_a_not_a1),
            Case("institution of B1", world.site_b1.institution_id, on_b | {"crm"}),
        ],
        "token_id": [Case("the CRM's token", crm_token.pk, frozenset({"crm"}))],
        "participant_id": [
            Case("participant of A1", participant_a1.pk, subjects_a1),
            Case("participant of B1", participant_b1.pk, on_b),
        ],
        "screening_entry_id": [
            Case("screening entry of A1", entry_a1.pk, subjects_a1),
            Case("screening entry of B1", entry_b1.pk, on_b),
        ],
        # Consent versions and the diversity plan are study-wide: every site of the study sees them.
        "consent_version_id": [Case("consent version of A", consent_version_a.pk, on_a1)],
        "diversity_target_id": [Case("diversity target of A", diversity_target_a.pk, on_a1)],
        "randomization_scheme_id": [Case("randomization scheme of A", scheme_a.pk, on_a1)],
        **visit_cases(
            world,
            participant_a1,
            participant_b1,
            on_a1=subjects_a1,
            on_a_not_a1=on_a_not_a1 - {"sponsor_viewer"},
            study_wide=on_a1,
        ),
        **later_apps,
        # People: administrators see everyone, a CRM the people on their studies, others themselves.
        "user_id": [
            Case(
                "the coordinator of B1",
                world.coordinator.pk,
                frozenset({"admin", "coordinator"}),
                (("role_assignment_id", world.coordinator.role_assignments.get().pk),),
            ),
            Case(
                "the monitor of A1",
                world.monitor.pk,
                frozenset({"admin", "crm", "monitor"}),
                (("role_assignment_id", world.monitor.role_assignments.get().pk),),
            ),
            # Read-only people may open their own page but change nothing there, their roles included.
            Case(
                "the auditor of A",
                world.auditor.pk,
                frozenset({"admin", "crm", "auditor"}),
                (("role_assignment_id", world.auditor.role_assignments.get().pk),),
            ),
        ],
    }


def visit_cases(
    world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide
) -> dict[str, list[Case]]:
    """The schedule of protocol A, participants' visits and deviations at A1 and A2 (the visits app)."""
    visits = build_visit_world(world, participant_a1=participant_a1, participant_b1=participant_b1)
    return {
        "scheduled_visit_id": [
            Case("a visit of the participant at A1", visits.visit_a1.pk, on_a1),
            Case("a visit of the participant at A2", visits.visit_a2.pk, on_a_not_a1),
        ],
        "visit_definition_id": [Case("visit W2 of protocol A", visits.definition("W2").pk, study_wide)],
        "deviation_id": [
            Case("a deviation at A1", visits.deviation_a1.pk, on_a1),
            Case("a deviation at A2", visits.deviation_a2.pk, on_a_not_a1),
        ],
    }


def variants_of(route: str) -> tuple[str, ...]:
    """The query strings under which a page shows different things: each tab of the study page, each
    format of a download."""
    if route == "studies/<int:study_id>/":
        return ("", *(f"?tab={key}" for key in extensions.study_sections.keys()))
    return FORMAT_VARIANTS.get(route, ("",))


def body_text(response) -> str:
    """What a response says, as text: an Excel download's cells, anything else decoded."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row
        )
    return content.decode(errors="replace")


def assert_no_subject_secrets(person: str, where: str, text: str) -> None:
    for secret, seen_by in SUBJECT_SECRETS.items():
        assert person in seen_by or secret not in text, f"{person} reads {secret!r} in {where}"


def page_routes(patterns=None, prefix=""):
    """(route, parameter names) for every page URL pattern, with nested includes flattened."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from page_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if not PAGE_SKIP.match(route):
                yield route, tuple(entry.pattern.converters) or tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))


def fill(route: str, values: dict[str, int]) -> str:
    for parameter, value in values.items():
        route = re.sub(r"<(?:\w+:)?" + parameter + ">", str(value), route)
    return "/" + route


def cases_for(parameters: tuple[str, ...], cases: dict[str, list[Case]], where: str) -> list[Case]:
    """The cases of a route's first parameter; each must also fill the route's other parameters."""
    assert parameters[0] in cases, f"{where}: no test objects for parameter {parameters[0]!r}; add them"
    found = cases[parameters[0]]
    for case in found:
        missing = set(parameters) - set(case.values(parameters[0]))
        assert not missing, f"{where}: case {case.label!r} cannot fill {sorted(missing)}; teach it"
    return found


def api_operations():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation, schema


@pytest.fixture
def scoped(world, client_for):
    token, _ = create_api_token(user=world.crm, name="scoping test", by=world.crm)
    return (
        world,
        cases_by_parameter(world, token),
        {name: client_for(user) for name, user in world.people.items()},
    )


def test_every_page_route_answers_404_outside_scope(scoped):
    world, cases, clients = scoped
    checked = 0
    for route, parameters in page_routes():
        if not parameters:
            continue
        for case in cases_for(parameters, cases, route):
            url = fill(route, case.values(parameters[0]))
            for person in PEOPLE:
                response = clients[person].get(url)
                status = response.status_code
                if person in case.visible_to:
                    assert status != 404 and status < 500, f"{person} GET {url} ({case.label}) -> {status}"
                    for variant in variants_of(route):
                        found = clients[person].get(url + variant) if variant else response
                        assert_no_subject_secrets(person, f"GET {url}{variant}", body_text(found))
                else:
                    assert status == 404, f"{person} GET {url} ({case.label}) -> {status}, expected 404"
                checked += 1
    assert checked > 50


def test_every_page_write_is_refused_to_read_only_roles(scoped):
    world, cases, clients = scoped
    for route, parameters in page_routes():
        if PERSONAL_PAGES.match(route):
            continue
        targets = (
            [
                (fill(route, case.values(parameters[0])), case.visible_to)
                for case in cases_for(parameters, cases, route)
                if "auditor" in case.visible_to
            ]
            if parameters
            else [("/" + route, frozenset(PEOPLE))]
        )
        for url, visible_to in targets:
            for person in READ_ONLY:
                status = clients[person].post(url, {"reason": "scoping test"}).status_code
                # What a person cannot see stays hidden (404) even when they try to change it; a
                # read-only page refuses the method (405) before looking anything up, revealing nothing.
                expected = (403, 405) if person in visible_to else (404, 405)
                assert status in expected, f"{person} POST {url} -> {status}, expected {expected}"


def test_page_lists_never_show_what_is_out_of_scope(scoped):
    world, cases, clients = scoped
    hidden = {
        "crm": ["Study CARD-B"],
        "monitor": ["Study CARD-B", "Tokyo Medical", "Hospital CARD-B-201"],
        "coordinator": ["Study ONC-A", "Tokyo Medical", "Hospital ONC-A-101"],
        "auditor": ["Study CARD-B", "Hospital CARD-B-201"],
        "sponsor_viewer": ["Study CARD-B", "Hospital CARD-B-201"],
        "outsider": [
            "Study ONC-A",
            "Study CARD-B",
            "Tokyo Medical",
            "Hospital ONC-A-101",
            "Hospital CARD-B-201",
        ],
    }
    for route, parameters in page_routes():
        if parameters or PERSONAL_PAGES.match(route):
            continue
        for person in PEOPLE:
            for query in LIST_QUERIES.get(route, ("",)):
                body = body_text(clients[person].get("/" + route + query))
                for secret in hidden.get(person, ()):
                    assert secret not in body, f"{person} sees {secret!r} on /{route}{query}"
                assert_no_subject_secrets(person, f"/{route}{query}", body)


def sample_value(spec: dict, schema: dict):
    if "$ref" in spec:
        spec = schema["components"]["schemas"][spec["$ref"].split("/")[-1]]
    if "anyOf" in spec:
        spec = next(s for s in spec["anyOf"] if s.get("type") != "null")
    kind = spec.get("type")
    if "enum" in spec:
        return spec["enum"][0]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if spec.get("format") == "date":
        return "2025-01-01"
    return "scoping test"


def sample_body(operation: dict, schema: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    body_schema = content["schema"]
    if "$ref" in body_schema:
        body_schema = schema["components"]["schemas"][body_schema["$ref"].split("/")[-1]]
    properties = body_schema.get("properties", {})
    body = {name: sample_value(properties[name], schema) for name in body_schema.get("required", [])}
    if "reason" in properties:
        body.setdefault("reason", "scoping test")
    if "version" in properties:
        body.setdefault("version", 1)
    return body


def call(client, method: str, url: str, body):
    kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
    return getattr(client, method.lower())(url, **kwargs)


def test_every_api_route_answers_404_outside_scope_and_403_to_read_only_roles(scoped):
    world, cases, clients = scoped
    checked = 0
    for path, method, operation, schema in api_operations():
        parameters = tuple(re.findall(r"{(\w+)}", path))
        if not parameters:
            continue
        parameter = parameters[0]
        body = sample_body(operation, schema)
        for case in cases_for(parameters, cases, path):
            url = "/api/v1" + path.removeprefix("/api/v1")
            for name, value in case.values(parameter).items():
                url = url.replace("{" + name + "}", str(value))
            url = url + ("?reason=scoping+test" if method == "DELETE" else "")
            for person in PEOPLE:
                if method != "GET" and person in ("admin", "crm"):
                    continue  # their writes are the API tests' business; here only refusals are checked
                response = call(clients[person], method, url, body)
                status = response.status_code
                label = f"{person} {method} {url} ({case.label})"
                if person not in case.visible_to:
                    assert status == 404, f"{label} -> {status}, expected 404"
                elif method == "GET" and operation.get("x-subject-level") and person in SUBJECT_BLIND:
                    # Hidden is not zero: a subject-level list says it is hidden instead of `count: 0`.
                    assert status == 403 and "Hidden" in response.json()["detail"], f"{label} -> {status}"
                elif method == "GET":
                    assert status == 200, f"{label} -> {status}"
                    assert_no_subject_secrets(person, label, body_text(response))
                elif operation.get("x-writes-nothing"):  # a what-if: read-only roles may run it
                    assert status in (200, 422), f"{label} -> {status}"
                    assert_no_subject_secrets(person, label, body_text(response))
                elif person in READ_ONLY and parameter != "token_id":
                    assert status == 403, f"{label} -> {status}, expected 403"
                checked += 1
    assert checked > 100


def test_api_lists_never_show_what_is_out_of_scope(scoped):
    world, cases, clients = scoped
    for path, method, _operation, _schema in api_operations():
        if method != "GET" or "{" in path:
            continue
        url = "/api/v1" + path.removeprefix("/api/v1")
        for query in LIST_QUERIES.get(url, ("",)):
            api_list_shows_only_what_is_in_scope(clients, url + query)


def api_list_shows_only_what_is_in_scope(clients, url: str) -> None:
    for person, client in clients.items():
        response = client.get(url)
        assert response.status_code == 200, f"{person} GET {url} -> {response.status_code}"
        body = response.content.decode()
        if "openapi" not in url:
            assert_no_subject_secrets(person, f"GET {url}", body)
        # Quoted, so that an institution named after a study (visible to CRMs) does not count.
        if person not in ("admin", "coordinator"):
            assert '"CARD-B"' not in body and "Study CARD-B" not in body, f"{person} sees study B in {url}"
        if person in ("coordinator", "outsider"):
            assert '"ONC-A"' not in body and "Study ONC-A" not in body, f"{person} sees study A in {url}"


def test_unauthenticated_api_requests_get_401(client):
    for path, method, operation, schema in api_operations():
        if "openapi" in path or "docs" in path:
            continue
        url = "/api/v1" + re.sub(r"{\w+}", "1", path.removeprefix("/api/v1"))
        assert call(client, method, url, sample_body(operation, schema)).status_code == 401, f"{method} {url}"
