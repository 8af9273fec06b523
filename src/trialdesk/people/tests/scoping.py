"""Objects of the people app for tests/test_scoping_every_route.py, and who may see each."""

import datetime as dt

from trialdesk.core.roles import Role


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes.

    Import Case inside the function (`from tests.test_scoping_every_route import Case`): that module
    imports this one. `on_a1` are the people who see site A1 of study A (sponsor viewers included:
    drop them for participant-level records), `on_a_not_a1` those who see site A2 but not A1, `on_b`
    those who see site B1 of study B, `study_wide` those who see study A.
    """
    from tests.test_scoping_every_route import Case
    from trialdesk.people import services
    from trialdesk.people.selectors import current_protocol_version
    from trialdesk.people.tests.factories import make_staff, train

    admin = world.admin
    investigators = {}
    for site, name in ((world.site_a1, "pi_scope_a1"), (world.site_a2, "pi_scope_a2")):
        investigators[site.pk] = make_staff(site, name, by=admin, role=Role.INVESTIGATOR)
        train(investigators[site.pk], site, by=admin, protocol=current_protocol_version(site.study_id))
    train(world.coordinator, world.site_b1, by=admin, protocol=current_protocol_version(world.study_b))

    def entry(site, person):
        return services.create_delegation(
            study_site=site,
            staff_member=person,
            tasks=["eligibility"],
            starts_on=dt.date(2025, 1, 1),
            by=admin,
        )

    def disclosure(site, person):
        return services.record_disclosure(
            study_site=site,
            investigator=person,
            occasion="initial",
            disclosed_on=dt.date(2025, 1, 1),
            by=admin,
        )

    study_wide_training = services.record_training(
        study=world.study_a,
        staff_member=investigators[world.site_a1.pk],
        kind="system",
        title="IRT",
        completed_on=dt.date(2025, 1, 1),
        by=admin,
    )
    return {
        "training_record_id": [
            Case("training at A1", investigators[world.site_a1.pk].training_records.first().pk, on_a1),
            Case("training at A2", investigators[world.site_a2.pk].training_records.first().pk, on_a_not_a1),
            Case("study-wide training of A", study_wide_training.pk, study_wide),
            Case("training at B1", world.coordinator.training_records.first().pk, on_b),
        ],
        "delegation_entry_id": [
            Case("delegation at A1", entry(world.site_a1, investigators[world.site_a1.pk]).pk, on_a1),
            Case("delegation at A2", entry(world.site_a2, investigators[world.site_a2.pk]).pk, on_a_not_a1),
            Case("delegation at B1", entry(world.site_b1, world.coordinator).pk, on_b),
        ],
        "financial_disclosure_id": [
            Case("disclosure at A1", disclosure(world.site_a1, investigators[world.site_a1.pk]).pk, on_a1),
            Case(
                "disclosure at A2", disclosure(world.site_a2, investigators[world.site_a2.pk]).pk, on_a_not_a1
            ),
        ],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/studies/{study_id}/training-records"),
    ("POST", "/api/v1/studies/{study_id}/training-records"),
    ("GET", "/api/v1/training-records/{training_record_id}"),
    ("PATCH", "/api/v1/training-records/{training_record_id}"),
    ("GET", "/api/v1/study-sites/{study_site_id}/training-flags"),
    ("GET", "/api/v1/study-sites/{study_site_id}/delegation-entries"),
    ("POST", "/api/v1/study-sites/{study_site_id}/delegation-entries"),
    ("GET", "/api/v1/delegation-entries/{delegation_entry_id}"),
    ("POST", "/api/v1/delegation-entries/{delegation_entry_id}/sign"),
    ("POST", "/api/v1/delegation-entries/{delegation_entry_id}/end"),
    ("GET", "/api/v1/studies/{study_id}/financial-disclosures"),
    ("GET", "/api/v1/studies/{study_id}/financial-disclosures/due"),
    ("POST", "/api/v1/study-sites/{study_site_id}/financial-disclosures"),
    ("GET", "/api/v1/financial-disclosures/{financial_disclosure_id}"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {
    "study_id",
    "study_site_id",
    "training_record_id",
    "delegation_entry_id",
    "financial_disclosure_id",
}
