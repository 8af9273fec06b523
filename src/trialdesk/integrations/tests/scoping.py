"""Objects of the integrations app for tests/test_scoping_every_route.py, and who may see each."""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes.

    Import Case inside the function (`from tests.test_scoping_every_route import Case`): that module
    imports this one. `on_a1` are the people who see site A1 of study A (sponsor viewers included:
    drop them for participant-level records), `on_a_not_a1` those who see site A2 but not A1, `on_b`
    those who see site B1 of study B, `study_wide` those who see study A.
    """
    return {}


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    # ClinicalTrials.gov import and registry check (registry/api.py)
    ("POST", "/api/v1/imports/ctgov"),
    ("GET", "/api/v1/studies/{study_id}/registry-check"),
    ("PUT", "/api/v1/studies/{study_id}/registry-facts"),
    # HL7 FHIR reads (fhir/api.py)
    ("GET", "/api/v1/fhir/ResearchStudy/{study_id}"),
    ("GET", "/api/v1/fhir/ResearchSubject/{participant_id}"),
    # CDISC ODM import (odm/api.py)
    ("POST", "/api/v1/studies/{study_id}/odm-imports"),
    # Bulk import from spreadsheets (bulk/api.py)
    ("POST", "/api/v1/imports/institutions/preview"),
    ("POST", "/api/v1/imports/institutions/apply"),
    ("POST", "/api/v1/imports/sites/preview"),
    ("POST", "/api/v1/imports/sites/apply"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = set()
