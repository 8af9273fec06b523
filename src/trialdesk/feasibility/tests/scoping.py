"""Objects of the feasibility app for tests/test_scoping_every_route.py, and who may see each.

Templates and their questions are study-wide (a candidate site's staff answer from them). Agreements,
questionnaires and answers belong to a site: the study's people see every site's, a site's staff only
their own (the coordinator of B1 gets 404 for A's). Nothing here is subject-level.
"""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes."""
    from tests.test_scoping_every_route import Case
    from trialdesk.feasibility.tests.factories import make_questionnaire_as_is, make_template

    template_a = make_template(world.study_a, by=world.admin)
    template_b = make_template(world.study_b, by=world.admin)
    made = {
        label: make_questionnaire_as_is(site, template, by=world.admin)
        for label, site, template in (
            ("A1", world.site_a1, template_a),
            ("A2", world.site_a2, template_a),
            ("B1", world.site_b1, template_b),
        )
    }
    seen = {"A1": on_a1, "A2": on_a_not_a1, "B1": on_b}
    return {
        "feasibility_template_id": [
            Case("the feasibility template of A", template_a.pk, study_wide),
            Case("the feasibility template of B", template_b.pk, on_b),
        ],
        "feasibility_question_id": [
            Case("a question of A's template", template_a.questions.order_by("id").first().pk, study_wide),
            Case("a question of B's template", template_b.questions.order_by("id").first().pk, on_b),
        ],
        "feasibility_agreement_id": [
            Case(f"the CDA of {label}", q.study_site.confidentiality_agreement.pk, seen[label])
            for label, q in made.items()
        ],
        "feasibility_questionnaire_id": [
            Case(f"the questionnaire of {label}", q.pk, seen[label]) for label, q in made.items()
        ],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/studies/{study_id}/feasibility/templates"),
    ("POST", "/api/v1/studies/{study_id}/feasibility/templates"),
    ("GET", "/api/v1/feasibility-templates/{feasibility_template_id}"),
    ("POST", "/api/v1/feasibility-templates/{feasibility_template_id}/questions"),
    ("PATCH", "/api/v1/feasibility-questions/{feasibility_question_id}"),
    ("GET", "/api/v1/studies/{study_id}/feasibility/agreements"),
    ("POST", "/api/v1/study-sites/{study_site_id}/feasibility/agreement"),
    ("POST", "/api/v1/feasibility-agreements/{feasibility_agreement_id}/executed"),
    ("GET", "/api/v1/studies/{study_id}/feasibility/questionnaires"),
    ("POST", "/api/v1/studies/{study_id}/feasibility/questionnaires"),
    ("GET", "/api/v1/feasibility-questionnaires/{feasibility_questionnaire_id}"),
    ("PUT", "/api/v1/feasibility-questionnaires/{feasibility_questionnaire_id}/answers"),
    ("GET", "/api/v1/studies/{study_id}/feasibility/ranking"),
    ("GET", "/api/v1/studies/{study_id}/feasibility/decisions"),
    ("POST", "/api/v1/study-sites/{study_site_id}/selection-decision"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {
    "study_id",
    "study_site_id",
    "feasibility_template_id",
    "feasibility_question_id",
    "feasibility_agreement_id",
    "feasibility_questionnaire_id",
}
