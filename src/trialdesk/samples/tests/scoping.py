"""Objects of the samples app for tests/test_scoping_every_route.py, and who may see each.

Laboratories, sample types and permits are the study's: everyone on it. Shipments are a site's: the
study's people and that site's staff, sponsor viewers included (a shipment names no participant, its
counts are aggregates). The samples in it are subject-level: their barcodes are secrets that sponsor
viewers never read (nor the participants' numbers).
"""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes."""
    from tests.test_scoping_every_route import SUBJECT_SECRETS, Case
    from trialdesk.samples.tests.factories import (
        make_laboratory,
        make_permit,
        make_sample,
        make_sample_type,
        make_shipment,
        make_visit,
    )

    admin = world.admin
    made = {}
    for label, study, site, participant, seen_by in (
        ("A1", world.study_a, world.site_a1, participant_a1, on_a1 - {"sponsor_viewer"}),
        ("B1", world.study_b, world.site_b1, participant_b1, on_b),
    ):
        laboratory = make_laboratory(study, by=admin)
        serum = make_sample_type(study, by=admin)
        visit = make_visit(participant, by=admin)
        barcode = f"SMP-{label}-SECRET"
        make_sample(participant, visit, serum, by=admin, barcode=barcode)
        SUBJECT_SECRETS[barcode] = seen_by
        made[label] = (
            make_shipment(site, laboratory, [barcode], by=admin),
            make_permit(study, by=admin, direction="import", from_country="DE", to_country="US"),
        )
    return {
        "sample_shipment_id": [
            Case("a sample shipment from A1", made["A1"][0].pk, on_a1),
            Case("a sample shipment from B1", made["B1"][0].pk, on_b),
        ],
        "sample_permit_id": [
            Case("a sample permit of A", made["A1"][1].pk, study_wide),
            Case("a sample permit of B", made["B1"][1].pk, on_b),
        ],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/studies/{study_id}/sample-laboratories"),
    ("POST", "/api/v1/studies/{study_id}/sample-laboratories"),
    ("GET", "/api/v1/studies/{study_id}/sample-types"),
    ("POST", "/api/v1/studies/{study_id}/sample-types"),
    ("GET", "/api/v1/studies/{study_id}/sample-permits"),
    ("POST", "/api/v1/studies/{study_id}/sample-permits"),
    ("GET", "/api/v1/sample-permits/{sample_permit_id}"),
    ("PATCH", "/api/v1/sample-permits/{sample_permit_id}"),
    ("GET", "/api/v1/studies/{study_id}/samples"),
    ("POST", "/api/v1/study-sites/{study_site_id}/samples"),
    ("GET", "/api/v1/studies/{study_id}/sample-shipments"),
    ("POST", "/api/v1/study-sites/{study_site_id}/sample-shipments"),
    ("GET", "/api/v1/sample-shipments/{sample_shipment_id}"),
    ("POST", "/api/v1/sample-shipments/{sample_shipment_id}/custody"),
    ("PUT", "/api/v1/sample-shipments/{sample_shipment_id}/temperature-log"),
    ("POST", "/api/v1/sample-shipments/{sample_shipment_id}/receipt"),
    ("GET", "/api/v1/studies/{study_id}/sample-reconciliation"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {"study_id", "study_site_id", "sample_shipment_id", "sample_permit_id"}
# GETs answering one document, not a page of a growing list.
SINGLE_OBJECTS: set[str] = {"/api/v1/studies/{study_id}/sample-reconciliation"}
