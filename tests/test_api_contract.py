"""The API's published contract: the OpenAPI document, its routes and error answers, and offline docs."""

import importlib
import re

import pytest
from django.contrib.staticfiles import finders
from ninja import Schema

from trialdesk.core import extensions

ROUTES = {
    ("GET", "/api/v1/programs"),
    ("POST", "/api/v1/programs"),
    ("GET", "/api/v1/studies"),
    ("POST", "/api/v1/studies"),
    ("GET", "/api/v1/studies/{study_id}"),
    ("PATCH", "/api/v1/studies/{study_id}"),
    ("DELETE", "/api/v1/studies/{study_id}"),
    ("GET", "/api/v1/studies/{study_id}/protocol-versions"),
    ("POST", "/api/v1/studies/{study_id}/protocol-versions"),
    ("GET", "/api/v1/protocol-versions/{protocol_version_id}"),
    ("PATCH", "/api/v1/protocol-versions/{protocol_version_id}"),
    ("POST", "/api/v1/protocol-versions/{protocol_version_id}/transition"),
    ("GET", "/api/v1/studies/{study_id}/arms"),
    ("POST", "/api/v1/studies/{study_id}/arms"),
    ("GET", "/api/v1/arms/{arm_id}"),
    ("PATCH", "/api/v1/arms/{arm_id}"),
    ("DELETE", "/api/v1/arms/{arm_id}"),
    ("GET", "/api/v1/studies/{study_id}/milestones"),
    ("POST", "/api/v1/studies/{study_id}/milestones"),
    ("GET", "/api/v1/milestones/{milestone_id}"),
    ("PATCH", "/api/v1/milestones/{milestone_id}"),
    ("DELETE", "/api/v1/milestones/{milestone_id}"),
    ("GET", "/api/v1/institutions"),
    ("POST", "/api/v1/institutions"),
    ("GET", "/api/v1/institutions/{institution_id}"),
    ("PATCH", "/api/v1/institutions/{institution_id}"),
    ("GET", "/api/v1/studies/{study_id}/sites"),
    ("POST", "/api/v1/studies/{study_id}/sites"),
    ("GET", "/api/v1/study-sites/{study_site_id}"),
    ("PATCH", "/api/v1/study-sites/{study_site_id}"),
    ("DELETE", "/api/v1/study-sites/{study_site_id}"),
    ("POST", "/api/v1/study-sites/{study_site_id}/transition"),
    ("GET", "/api/v1/studies/{study_id}/audit-events"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/me/work"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/me/tokens"),
    ("POST", "/api/v1/me/tokens"),
    ("DELETE", "/api/v1/me/tokens/{token_id}"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/{user_id}"),
    ("POST", "/api/v1/users/{user_id}/roles"),
    ("DELETE", "/api/v1/users/{user_id}/roles/{role_assignment_id}"),
    ("POST", "/api/v1/users/{user_id}/deactivate"),
    ("POST", "/api/v1/users/{user_id}/reactivate"),
    ("GET", "/api/v1/studies/{study_id}/randomization-schemes"),
    ("POST", "/api/v1/studies/{study_id}/randomization-schemes"),
    ("GET", "/api/v1/randomization-schemes/{randomization_scheme_id}"),
    ("PATCH", "/api/v1/randomization-schemes/{randomization_scheme_id}"),
    ("POST", "/api/v1/randomization-schemes/{randomization_scheme_id}/activate"),
    ("GET", "/api/v1/studies/{study_id}/allocations"),
    ("POST", "/api/v1/participants/{participant_id}/randomize"),
    ("POST", "/api/v1/participants/{participant_id}/unblind"),
    ("GET", "/api/v1/study-sites/{study_site_id}/screening-entries"),
    ("POST", "/api/v1/study-sites/{study_site_id}/screening-entries"),
    ("GET", "/api/v1/screening-entries/{screening_entry_id}"),
    ("PATCH", "/api/v1/screening-entries/{screening_entry_id}"),
    ("GET", "/api/v1/screening-entries/{screening_entry_id}/consents"),
    ("POST", "/api/v1/screening-entries/{screening_entry_id}/consents"),
    ("GET", "/api/v1/studies/{study_id}/participants"),
    ("POST", "/api/v1/studies/{study_id}/participants"),
    ("GET", "/api/v1/participants/{participant_id}"),
    ("PATCH", "/api/v1/participants/{participant_id}"),
    ("POST", "/api/v1/participants/{participant_id}/transition"),
    ("GET", "/api/v1/participants/{participant_id}/consents"),
    ("POST", "/api/v1/participants/{participant_id}/consents"),
    ("GET", "/api/v1/participants/{participant_id}/withdrawals"),
    ("POST", "/api/v1/participants/{participant_id}/withdrawals"),
    ("GET", "/api/v1/studies/{study_id}/reconsent"),
    ("GET", "/api/v1/studies/{study_id}/consent-versions"),
    ("POST", "/api/v1/studies/{study_id}/consent-versions"),
    ("GET", "/api/v1/consent-versions/{consent_version_id}"),
    ("PATCH", "/api/v1/consent-versions/{consent_version_id}"),
    ("GET", "/api/v1/consent-versions/{consent_version_id}/approvals"),
    ("POST", "/api/v1/consent-versions/{consent_version_id}/approvals"),
    ("GET", "/api/v1/studies/{study_id}/diversity-targets"),
    ("POST", "/api/v1/studies/{study_id}/diversity-targets"),
    ("GET", "/api/v1/diversity-targets/{diversity_target_id}"),
    ("PATCH", "/api/v1/diversity-targets/{diversity_target_id}"),
    ("DELETE", "/api/v1/diversity-targets/{diversity_target_id}"),
    # visits: schedules of activities, participants' visits, missed visits, deviations
    ("GET", "/api/v1/protocol-versions/{protocol_version_id}/visit-definitions"),
    ("POST", "/api/v1/protocol-versions/{protocol_version_id}/visit-definitions"),
    ("GET", "/api/v1/visit-definitions/{visit_definition_id}"),
    ("PATCH", "/api/v1/visit-definitions/{visit_definition_id}"),
    ("DELETE", "/api/v1/visit-definitions/{visit_definition_id}"),
    ("GET", "/api/v1/participants/{participant_id}/visits"),
    ("POST", "/api/v1/participants/{participant_id}/visits"),
    ("POST", "/api/v1/participants/{participant_id}/visits/schedule"),
    ("GET", "/api/v1/scheduled-visits/{scheduled_visit_id}"),
    ("GET", "/api/v1/studies/{study_id}/missed-visits"),
    ("GET", "/api/v1/studies/{study_id}/deviations"),
    ("POST", "/api/v1/studies/{study_id}/deviations"),
    ("GET", "/api/v1/deviations/{deviation_id}"),
    ("PATCH", "/api/v1/deviations/{deviation_id}"),
    ("DELETE", "/api/v1/deviations/{deviation_id}"),
    ("POST", "/api/v1/deviations/{deviation_id}/review"),
    ("GET", "/api/v1/studies/{study_id}/deviation-rates"),
    # statistics: key risk indicators per site
    ("GET", "/api/v1/studies/{study_id}/kris"),
    # health at a glance (issue 16): a study's and a site's, and the study's thresholds
    ("GET", "/api/v1/studies/{study_id}/health"),
    ("GET", "/api/v1/study-sites/{study_site_id}/health"),
    ("GET", "/api/v1/studies/{study_id}/health/thresholds"),
    ("PUT", "/api/v1/studies/{study_id}/health/thresholds"),
}
# GETs whose path does not end in an id but which answer one object, not a page of a growing list (the
# path is fixed by an issue, or the answer is a document such as a study's health thresholds).
SINGLE_OBJECTS = {
    "/api/v1/me",
    "/api/v1/studies/{study_id}/health",
    "/api/v1/study-sites/{study_site_id}/health",
    "/api/v1/studies/{study_id}/health/thresholds",
}
# Path parameter names are part of the contract: the scoping test fills them by name.
PATH_PARAMETERS = {
    "study_id",
    "protocol_version_id",
    "arm_id",
    "milestone_id",
    "institution_id",
    "study_site_id",
    "token_id",
    "user_id",
    "role_assignment_id",
    "participant_id",
    "randomization_scheme_id",
    "screening_entry_id",
    "consent_version_id",
    "diversity_target_id",
    "scheduled_visit_id",
    "visit_definition_id",
    "deviation_id",
}
# Apps added later publish their routes and parameters beside their scoping cases (registered in
# core.extensions.scoping_cases).
for app_scoping in map(importlib.import_module, extensions.scoping_cases):
    ROUTES |= app_scoping.API_ROUTES
    PATH_PARAMETERS |= app_scoping.PATH_PARAMETERS
    SINGLE_OBJECTS |= getattr(app_scoping, "SINGLE_OBJECTS", set())
PAGE_FIELDS = {"count", "limit", "offset", "items"}


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_openapi_document_names_the_api(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Trialdesk API"


def test_every_route_is_published(document):
    published = {(method, path) for method, path, _ in operations(document)}
    assert ROUTES - published == set()


def test_every_published_route_is_in_this_contract(document):
    published = {(method, path) for method, path, _ in operations(document)}
    assert published - ROUTES == set(), "a new route: add it to ROUTES (and to the API tests)"


def test_path_parameters_use_the_contract_names(document):
    for _, path, _ in operations(document):
        assert set(re.findall(r"{(\w+)}", path)) <= PATH_PARAMETERS, path


def test_every_operation_documents_its_error_answers(document):
    for method, path, operation in operations(document):
        documented = {int(code) for code in operation["responses"]}
        expected = {401}
        if "{" in path:
            expected.add(404)
        if operation.get("parameters") or "requestBody" in operation:
            expected.add(422)
        if method != "GET":
            expected |= {400, 403, 409, 422}
        assert expected <= documented, f"{method} {path} documents {sorted(documented)}"
        for code in documented - {200, 201, 204}:
            schema = operation["responses"][str(code)]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, f"{method} {path} {code}"


def test_error_body_is_detail_and_field_errors(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["ErrorOut"]["properties"]) == {"detail", "errors"}
    assert set(schemas["FieldError"]["properties"]) == {"field", "message"}


def test_every_operation_is_tagged_and_uniquely_named(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for method, path, operation in operations(document):
        assert operation.get("tags"), f"{method} {path} has no tag"


def test_every_operation_requires_session_or_token(document):
    schemes = document["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}
    for method, path, operation in operations(document):
        assert len(operation["security"]) == 2, f"{method} {path}"


def test_list_operations_are_paginated(document):
    schemas = document["components"]["schemas"]
    for method, path, operation in operations(document):
        if method != "GET" or path.endswith("}") or path in SINGLE_OBJECTS:
            continue
        names = {p["name"] for p in operation["parameters"]}
        assert {"limit", "offset"} <= names, path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert set(schemas[ref.split("/")[-1]]["properties"]) == PAGE_FIELDS, path


def test_updates_accept_the_version_as_if_match(document):
    for method, path, operation in operations(document):
        # Tokens and role assignments are not regulated records: they carry no version.
        unversioned = "token_id" in path or "role_assignment_id" in path
        versioned = (method in ("PATCH", "DELETE") and not unversioned) or path.endswith("/transition")
        if versioned:
            names = {p["name"] for p in operation["parameters"]}
            assert "If-Match" in names, f"{method} {path}"


def test_docs_page_loads_without_the_network(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html), "the docs page must not load anything from elsewhere"
    assert "/api/v1/openapi.json" in html
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), f"{asset} is not among the installed static files"
    assert re.search(r'src="/static/ninja/swagger-ui-bundle\.js"', html)


def test_schema_names_are_unique_across_the_apps(document):
    """The OpenAPI document keys its schemas by class name: two apps' DecisionIn would make one route
    document the other's body. Every schema the document names is one class."""
    published = set(document["components"]["schemas"])
    seen: dict[str, str] = {}

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    for cls in walk(Schema):
        if not cls.__module__.startswith("trialdesk.") or cls.__name__ not in published:
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        assert seen.setdefault(cls.__name__, where) == where, f"{where} and {seen[cls.__name__]}"
