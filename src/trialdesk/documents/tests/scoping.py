"""Objects of the documents app for tests/test_scoping_every_route.py, and who may see each."""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes.

    Import Case inside the function (`from tests.test_scoping_every_route import Case`): that module
    imports this one. `on_a1` are the people who see site A1 of study A (sponsor viewers included:
    drop them for participant-level records), `on_a_not_a1` those who see site A2 but not A1, `on_b`
    those who see site B1 of study B, `study_wide` those who see study A.
    """
    from tests.test_scoping_every_route import Case
    from trialdesk.documents.tests.factories import file_pdf

    # Essential documents are not participant-level: sponsor viewers see them like the rest of the study.
    at_a1 = file_pdf(
        world.study_a, by=world.admin, artifact_number="05.02.12", study_site=world.site_a1, text="a1"
    )
    at_a2 = file_pdf(
        world.study_a, by=world.admin, artifact_number="05.02.12", study_site=world.site_a2, text="a2"
    )
    trial_a = file_pdf(world.study_a, by=world.admin, artifact_number="02.01.07", level="trial", text="crf")
    at_b1 = file_pdf(
        world.study_b, by=world.admin, artifact_number="05.02.12", study_site=world.site_b1, text="b1"
    )
    documents = [
        ("document at A1", at_a1, on_a1),
        ("document at A2", at_a2, on_a_not_a1),
        ("trial document of A", trial_a, study_wide),
        ("document at B1", at_b1, on_b),
    ]
    return {
        "document_id": [Case(label, document.pk, people) for label, document, people in documents],
        "document_version_id": [
            Case(f"version of the {label}", document.versions.get().pk, people)
            for label, document, people in documents
        ],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/tmf-artifacts"),
    ("GET", "/api/v1/studies/{study_id}/expected-documents"),
    ("GET", "/api/v1/studies/{study_id}/document-completeness"),
    ("GET", "/api/v1/studies/{study_id}/documents"),
    ("POST", "/api/v1/studies/{study_id}/documents"),
    ("GET", "/api/v1/documents/{document_id}"),
    ("PATCH", "/api/v1/documents/{document_id}"),
    ("POST", "/api/v1/documents/{document_id}/versions"),
    ("GET", "/api/v1/document-versions/{document_version_id}"),
    ("GET", "/api/v1/document-files/{document_version_id}"),
    ("GET", "/api/v1/tmf-profiles/{study_id}"),
    ("PATCH", "/api/v1/tmf-profiles/{study_id}"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {"document_id", "document_version_id"}
