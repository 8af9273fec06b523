"""Objects of core's background work (core.tasks) for tests/test_scoping_every_route.py: a task's page
and file belong to the person who started it (and staff); everyone else gets 404. No API routes."""

# (METHOD, path) of every API route; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = set()
PATH_PARAMETERS: set[str] = set()


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for the task routes: a finished PDF the CRM of A asked for."""
    from tests.test_scoping_every_route import Case
    from trialdesk.reporting.tasks import start_study_report_pdf

    progress = start_study_report_pdf(study=world.study_a, by=world.crm)  # run at once in the tests
    return {
        "task_id": [
            Case("a status report PDF the CRM of A prepared", progress.pk, frozenset({"admin", "crm"}))
        ]
    }
