"""Objects of the privacy app for tests/test_scoping_every_route.py, and who may see each.

The register, the scan, the legal holds (by their study) are read by the study's data protection officer,
CRM and auditors; the request log by its data protection officer and CRM. Everyone else on the study gets
`hidden: true` (API) or 403 (pages) for the register and scan; out of the study, 404.
"""

import datetime as dt

# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/privacy-registers/{study_id}"),
    ("GET", "/api/v1/identifier-scans/{study_id}"),
    ("POST", "/api/v1/studies/{study_id}/privacy-settings"),
    ("POST", "/api/v1/studies/{study_id}/processing-purposes"),
    ("POST", "/api/v1/studies/{study_id}/transfer-safeguards"),
    ("GET", "/api/v1/studies/{study_id}/legal-holds"),
    ("POST", "/api/v1/studies/{study_id}/legal-holds"),
    ("POST", "/api/v1/legal-holds/{legal_hold_id}/lift"),
    ("GET", "/api/v1/studies/{study_id}/data-subject-requests"),
    ("POST", "/api/v1/studies/{study_id}/data-subject-requests"),
    ("GET", "/api/v1/data-subject-requests/{data_subject_request_id}"),
    ("POST", "/api/v1/data-subject-requests/{data_subject_request_id}/close"),
    ("POST", "/api/v1/data-subject-requests/{data_subject_request_id}/extend"),
    ("GET", "/api/v1/data-subject-request-exports/{data_subject_request_id}"),
}
PATH_PARAMETERS: set[str] = {"study_id", "legal_hold_id", "data_subject_request_id"}


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    from tests.test_scoping_every_route import Case
    from trialdesk.privacy.services import entries, requests

    hold = entries.place_hold(
        study=world.study_a,
        values={"reason": "Inspection by the authority", "placed_on": dt.date(2025, 2, 1)},
        by=world.admin,
    )
    request = requests.log_request(
        study=world.study_a,
        values={
            "kind": "access",
            "subject_kind": "staff",
            "person": world.monitor,
            "received_on": dt.date(2025, 2, 3),
        },
        by=world.admin,
    )
    return {
        "legal_hold_id": [Case("a legal hold on A", hold.pk, frozenset({"admin", "crm", "auditor"}))],
        "data_subject_request_id": [
            Case("a request logged under A", request.pk, frozenset({"admin", "crm"}))
        ],
    }
