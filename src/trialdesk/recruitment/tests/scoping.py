"""Objects of the recruitment app for tests/test_scoping_every_route.py, and who may see each.

Criteria are study setup: everyone on the study sees them. A site's pre-screening pool and its candidates
are the site staff's and the study CRM's only (issue 18, privacy): the monitor, auditor and sponsor viewer
of study A see figures on the pages they reach (the study tab, the site's pre-screening page), never a
candidate key.
"""

API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/studies/{study_id}/eligibility-criteria"),
    ("POST", "/api/v1/studies/{study_id}/eligibility-criteria"),
    ("GET", "/api/v1/eligibility-criteria/{criterion_id}"),
    ("PATCH", "/api/v1/eligibility-criteria/{criterion_id}"),
    ("DELETE", "/api/v1/eligibility-criteria/{criterion_id}"),
    ("GET", "/api/v1/studies/{study_id}/prescreening"),
    ("GET", "/api/v1/studies/{study_id}/prescreening-pools"),
    ("POST", "/api/v1/study-sites/{study_site_id}/candidate-uploads"),
    ("GET", "/api/v1/prescreening-pools/{pool_id}/candidates"),
    ("GET", "/api/v1/prescreening-candidates/{candidate_id}"),
    ("POST", "/api/v1/prescreening-candidates/{candidate_id}/approach"),
}
PATH_PARAMETERS: set[str] = {"criterion_id", "pool_id", "candidate_id"}
# An object of figures, not a list: unpaginated.
SINGLE_OBJECTS: set[str] = {"/api/v1/studies/{study_id}/prescreening"}
KEY_A1, KEY_B1 = "PSA1-7731", "PSB1-5520"


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes."""
    from tests.test_scoping_every_route import SUBJECT_SECRETS, Case
    from trialdesk.recruitment.tests.factories import make_criteria, make_pool

    admin = world.admin
    criteria_a = make_criteria(world.study_a, by=admin)
    criteria_b = make_criteria(world.study_b, by=admin)
    upload_a1 = make_pool(world.site_a1, by=admin, keys=(KEY_A1,))
    upload_b1 = make_pool(world.site_b1, by=admin, keys=(KEY_B1,))
    pool_a1, pool_b1 = upload_a1.pool, upload_b1.pool
    staff_a1 = frozenset({"admin", "crm"})
    staff_b1 = frozenset({"admin", "coordinator"})
    SUBJECT_SECRETS[KEY_A1] = staff_a1
    SUBJECT_SECRETS[KEY_B1] = staff_b1
    return {
        "criterion_id": [
            Case("a criterion of A", criteria_a[1].pk, on_a1),
            Case("a criterion of B", criteria_b[0].pk, on_b),
        ],
        "pool_id": [
            Case("the pool of A1", pool_a1.pk, staff_a1),
            Case("the pool of B1", pool_b1.pk, staff_b1),
        ],
        "candidate_id": [
            Case("a candidate at A1", pool_a1.candidates.get().pk, staff_a1),
            Case("a candidate at B1", pool_b1.candidates.get().pk, staff_b1),
        ],
    }
