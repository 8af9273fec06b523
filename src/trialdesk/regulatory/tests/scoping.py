"""Objects of the regulatory app for tests/test_scoping_every_route.py, and who may see each."""

import datetime as dt

EVERYONE = frozenset({"admin", "crm", "monitor", "coordinator", "auditor", "sponsor_viewer", "outsider"})


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes.

    Import Case inside the function (`from tests.test_scoping_every_route import Case`): that module
    imports this one. `on_a1` are the people who see site A1 of study A (sponsor viewers included:
    drop them for participant-level records), `on_a_not_a1` those who see site A2 but not A1, `on_b`
    those who see site B1 of study B, `study_wide` those who see study A.
    """
    from tests.test_scoping_every_route import Case
    from trialdesk.regulatory import services
    from trialdesk.regulatory.tests.factories import approve_at_site, make_approved_amendment, make_committee

    committee = make_committee("Ethik-Kommission der Charité", by=world.admin)
    submission_a1 = approve_at_site(world.site_a1, committee, by=world.admin)
    submission_a2 = approve_at_site(world.site_a2, committee, by=world.admin)
    submission_b1 = approve_at_site(world.site_b1, committee, by=world.admin)
    study_wide_a = services.create_submission(
        study=world.study_a,
        ethics_committee=committee,
        kind="safety_report",
        submitted_on=dt.date(2025, 2, 1),
        by=world.admin,
    )
    version = make_approved_amendment(world.study_a, by=world.admin, number="2.0-scoping")
    implementation = services.start_amendment(version, world.admin)
    return {
        # A public directory: every signed-in person reads it; only administrators and CRMs change it.
        "ethics_committee_id": [Case("an ethics committee", committee.pk, EVERYONE)],
        "submission_id": [
            Case("a submission of A1", submission_a1.pk, on_a1),
            Case("a submission of A2", submission_a2.pk, on_a_not_a1),
            Case("a submission of B1", submission_b1.pk, on_b),
            Case("a study-wide submission of A", study_wide_a.pk, study_wide),
        ],
        "amendment_id": [Case("an amendment of A", implementation.pk, study_wide)],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/ethics-committees"),
    ("POST", "/api/v1/ethics-committees"),
    ("GET", "/api/v1/ethics-committees/{ethics_committee_id}"),
    ("PATCH", "/api/v1/ethics-committees/{ethics_committee_id}"),
    ("GET", "/api/v1/regulatory-authorities"),
    ("GET", "/api/v1/studies/{study_id}/submissions"),
    ("POST", "/api/v1/studies/{study_id}/submissions"),
    ("GET", "/api/v1/submissions/{submission_id}"),
    ("PATCH", "/api/v1/submissions/{submission_id}"),
    ("POST", "/api/v1/submissions/{submission_id}/decision"),
    ("GET", "/api/v1/studies/{study_id}/ethics-approvals"),
    ("GET", "/api/v1/study-sites/{study_site_id}/activation-checklist"),
    ("POST", "/api/v1/protocol-versions/{protocol_version_id}/amendment"),
    ("GET", "/api/v1/studies/{study_id}/amendments"),
    ("GET", "/api/v1/amendments/{amendment_id}"),
    ("POST", "/api/v1/amendments/{amendment_id}/tasks"),
    ("POST", "/api/v1/amendments/{amendment_id}/deviations"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {"ethics_committee_id", "submission_id", "amendment_id"}
