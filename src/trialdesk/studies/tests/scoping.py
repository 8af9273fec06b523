"""Objects of studies for tests/test_scoping_every_route.py: a saved portfolio view is deleted by its owner
alone, even when it is shared."""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    from tests.test_scoping_every_route import Case
    from trialdesk.studies import saved_views

    shared = saved_views.save_view(
        by=world.crm, name="Recruiting oncology", query="status=recruiting", shared=True
    )
    return {"portfolio_view_id": [Case("the CRM's shared portfolio view", shared.pk, frozenset({"crm"}))]}


# For tests/test_api_contract.py: saved portfolio views have pages only, no API operation.
API_ROUTES: set[tuple[str, str]] = set()
PATH_PARAMETERS: set[str] = set()
