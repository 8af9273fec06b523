"""Objects of the incidents app for tests/test_scoping_every_route.py, and who may see each.

Incidents may describe participants, so they and their notifications are subject-level: sponsor viewers
see none. A study-wide incident is seen by everyone on the study (a site's staff included); one at a site
by the study's people and that site's staff.
"""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes."""
    from tests.test_scoping_every_route import SUBJECT_SECRETS, Case
    from trialdesk.incidents.tests.factories import make_incident

    subjects_a = on_a1 - {"sponsor_viewer"}
    subjects_a2 = on_a_not_a1 - {"sponsor_viewer"}
    made = {}
    for label, study, site, seen_by in (
        ("A", world.study_a, None, subjects_a),
        ("A2", world.study_a, world.site_a2, subjects_a2),
        ("B1", world.study_b, world.site_b1, on_b),
    ):
        secret = f"INCIDENT-{label} secret"
        made[label] = make_incident(study, by=world.admin, study_site=site, title=secret, description=secret)
        SUBJECT_SECRETS[secret] = seen_by

    def first_obligation(incident) -> int:
        return incident.obligations.order_by("id").first().pk

    return {
        "incident_id": [
            Case("a study-wide incident of A", made["A"].pk, subjects_a),
            Case("an incident at A2", made["A2"].pk, subjects_a2),
            Case("an incident at B1", made["B1"].pk, on_b),
        ],
        "incident_obligation_id": [
            Case("a notification of A's incident", first_obligation(made["A"]), subjects_a),
            Case("a notification of the incident at A2", first_obligation(made["A2"]), subjects_a2),
            Case("a notification of the incident at B1", first_obligation(made["B1"]), on_b),
        ],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/studies/{study_id}/incidents"),
    ("POST", "/api/v1/studies/{study_id}/incidents"),
    ("GET", "/api/v1/incidents/{incident_id}"),
    ("PATCH", "/api/v1/incidents/{incident_id}"),
    ("GET", "/api/v1/incidents/{incident_id}/obligations"),
    ("POST", "/api/v1/incident-obligations/{incident_obligation_id}/met"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {"study_id", "incident_id", "incident_obligation_id"}
