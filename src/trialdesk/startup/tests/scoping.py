"""Objects of the startup app for tests/test_scoping_every_route.py: its routes take only study and
study-site ids, whose cases the every-route test already has (a site's tracker follows the site's scope)."""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    return {}


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/study-sites/{study_site_id}/startup"),
    ("GET", "/api/v1/study-sites/{study_site_id}/closeout"),
    ("POST", "/api/v1/study-sites/{study_site_id}/startup/ticks"),
    ("POST", "/api/v1/study-sites/{study_site_id}/startup/overrides"),
    ("GET", "/api/v1/studies/{study_id}/startup"),
    ("POST", "/api/v1/studies/{study_id}/startup/items"),
    ("GET", "/api/v1/studies/{study_id}/startup/cycle-times"),
    ("POST", "/api/v1/studies/{study_id}/startup/cycle-times/targets"),
    ("GET", "/api/v1/studies/{study_id}/closeout"),
}
PATH_PARAMETERS: set[str] = {"study_id", "study_site_id"}
# GET routes that answer one object (a tracker, a summary), not a paginated list.
SINGLE_OBJECTS: set[str] = {
    "/api/v1/study-sites/{study_site_id}/startup",
    "/api/v1/study-sites/{study_site_id}/closeout",
    "/api/v1/studies/{study_id}/startup",
    "/api/v1/studies/{study_id}/startup/cycle-times",
    "/api/v1/studies/{study_id}/closeout",
}
