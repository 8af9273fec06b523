"""Objects of the statistics app for tests/test_scoping_every_route.py, and who may see each.

The what-if forecast and the recruitment plan hang off the study (`study_id`, the core's cases): a plan
version for each of studies A and B, so that the plan, its variance and the Plan tab have something to
show. The forecast is study-wide; its per-site rows follow the sites the reader may see.
"""

API_ROUTES: set[tuple[str, str]] = {
    ("POST", "/api/v1/studies/{study_id}/forecast"),
    ("GET", "/api/v1/studies/{study_id}/recruitment-plan"),
    ("POST", "/api/v1/studies/{study_id}/recruitment-plan"),
    ("GET", "/api/v1/studies/{study_id}/recruitment-plan/variance"),
    ("GET", "/api/v1/studies/{study_id}/recruitment-plan/versions"),
}
# GETs answering one document, not a page of a list: the plan (its lines and versions) and its variance.
SINGLE_OBJECTS: set[str] = {
    "/api/v1/studies/{study_id}/recruitment-plan",
    "/api/v1/studies/{study_id}/recruitment-plan/variance",
}
PATH_PARAMETERS: set[str] = {"study_id"}


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]}: none of its own; plans for studies A and B."""
    from trialdesk.statistics import plans

    for study, site in ((world.study_a, world.site_a1), (world.study_b, world.site_b1)):
        lines = [
            {
                "month": "2025-02",
                "country": "",
                "site": site.site_number,
                "planned_activations": 1,
                "planned_enrollment": 2,
            },
            {
                "month": "2025-03",
                "country": "DE",
                "site": "",
                "planned_activations": 0,
                "planned_enrollment": 3,
            },
        ]
        plans.create_recruitment_plan(study=study, lines=lines, reason="First plan", by=world.admin)
    return {}
