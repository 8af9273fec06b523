"""Objects of the supply app for tests/test_scoping_every_route.py, and who may see each.

Shipments, excursions and kits are site-level records without participants: the study's people and the
site's staff see them (sponsor viewers too). A dispensing says which participant got which kit, so it is
subject-level: sponsor viewers see none. A shipment to a participant's home names the participant only to
readers of subject-level data (the participant numbers are SUBJECT_SECRETS already).
"""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes."""
    from tests.test_scoping_every_route import Case
    from trialdesk.supply.models import Kit
    from trialdesk.supply.tests.factories import make_dispensing, make_excursion, make_shipment, make_supplies

    admin = world.admin
    for study in (world.study_a, world.study_b):
        make_supplies(study, by=admin, kits_per_type=2)
    shipment_a1 = make_shipment(world.study_a, world.site_a1, by=admin, participant=participant_a1)
    shipment_a2 = make_shipment(world.study_a, world.site_a2, by=admin)
    shipment_b1 = make_shipment(world.study_b, world.site_b1, by=admin)
    excursion_a2 = make_excursion(world.study_a, world.site_a2, by=admin)
    excursion_b1 = make_excursion(world.study_b, world.site_b1, by=admin)
    kit_a, kit_b = (
        Kit.objects.filter(study=s).order_by("number").first() for s in (world.study_a, world.study_b)
    )
    dispensing_a1 = make_dispensing(participant_a1, kit_a, by=admin)
    dispensing_b1 = make_dispensing(participant_b1, kit_b, by=admin)
    return {
        "shipment_id": [
            Case("a shipment to a participant of A1", shipment_a1.pk, on_a1),
            Case("a shipment to A2", shipment_a2.pk, on_a_not_a1),
            Case("a shipment to B1", shipment_b1.pk, on_b),
        ],
        "excursion_id": [
            Case("an excursion at A2", excursion_a2.pk, on_a_not_a1),
            Case("an excursion at B1", excursion_b1.pk, on_b),
        ],
        "dispensing_id": [
            Case("a kit dispensed at A1", dispensing_a1.pk, on_a1 - {"sponsor_viewer"}),
            Case("a kit dispensed at B1", dispensing_b1.pk, on_b),
        ],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/studies/{study_id}/supply/products"),
    ("POST", "/api/v1/studies/{study_id}/supply/products"),
    ("GET", "/api/v1/studies/{study_id}/supply/kit-types"),
    ("POST", "/api/v1/studies/{study_id}/supply/kit-types"),
    ("GET", "/api/v1/studies/{study_id}/supply/lots"),
    ("POST", "/api/v1/studies/{study_id}/supply/lots"),
    ("GET", "/api/v1/studies/{study_id}/supply/depots"),
    ("POST", "/api/v1/studies/{study_id}/supply/depots"),
    ("GET", "/api/v1/studies/{study_id}/supply/visit-dispensing"),
    ("PUT", "/api/v1/studies/{study_id}/supply/visit-dispensing"),
    ("GET", "/api/v1/studies/{study_id}/supply/kits"),
    ("POST", "/api/v1/studies/{study_id}/supply/kits"),
    ("GET", "/api/v1/studies/{study_id}/supply/shipments"),
    ("POST", "/api/v1/studies/{study_id}/supply/shipments"),
    ("GET", "/api/v1/supply/shipments/{shipment_id}"),
    ("GET", "/api/v1/supply/shipments/{shipment_id}/kits"),
    ("POST", "/api/v1/supply/shipments/{shipment_id}/receipt"),
    ("POST", "/api/v1/participants/{participant_id}/supply/shipments"),
    ("GET", "/api/v1/participants/{participant_id}/supply/dispensings"),
    ("POST", "/api/v1/participants/{participant_id}/supply/dispensings"),
    ("POST", "/api/v1/supply/dispensings/{dispensing_id}/return"),
    ("GET", "/api/v1/studies/{study_id}/supply/excursions"),
    ("POST", "/api/v1/study-sites/{study_site_id}/supply/excursions"),
    ("GET", "/api/v1/supply/excursions/{excursion_id}"),
    ("POST", "/api/v1/supply/excursions/{excursion_id}/decision"),
    ("GET", "/api/v1/studies/{study_id}/supply/destructions"),
    ("POST", "/api/v1/study-sites/{study_site_id}/supply/destructions"),
    ("GET", "/api/v1/studies/{study_id}/supply/accountability"),
    ("GET", "/api/v1/studies/{study_id}/supply/forecast"),
    ("GET", "/api/v1/studies/{study_id}/supply/resupply-plan"),
    ("PUT", "/api/v1/studies/{study_id}/supply/resupply-plan"),
    ("PUT", "/api/v1/studies/{study_id}/supply/lanes"),
}
# GETs that answer one document, not a page of a list (the forecast, its figures fixed by issue 17).
SINGLE_OBJECTS: set[str] = {
    "/api/v1/studies/{study_id}/supply/forecast",
    "/api/v1/studies/{study_id}/supply/resupply-plan",
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {
    "study_id",
    "study_site_id",
    "participant_id",
    "shipment_id",
    "excursion_id",
    "dispensing_id",
}
