"""Objects of notifications for tests/test_scoping_every_route.py: a notification is its recipient's only."""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]}: the CRM's and the monitor's notification about study A, each
    seen (and marked read) by its recipient alone."""
    from tests.test_scoping_every_route import Case
    from trialdesk.notifications import services

    def note(person, title):
        return services.notify([person], "assigned", title, "/my-work/", study=world.study_a)[0]

    return {
        "notification_id": [
            Case("the CRM's notification", note(world.crm, "For the CRM").pk, frozenset({"crm"})),
            Case(
                "the monitor's notification",
                note(world.monitor, "For the monitor").pk,
                frozenset({"monitor"}),
            ),
        ]
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/notifications"),
    ("POST", "/api/v1/notifications/read-all"),
    ("POST", "/api/v1/notifications/{notification_id}/read"),
    ("GET", "/api/v1/notifications/preferences"),
    ("POST", "/api/v1/notifications/preferences"),
}
PATH_PARAMETERS: set[str] = {"notification_id"}
