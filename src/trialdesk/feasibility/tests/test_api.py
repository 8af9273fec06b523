"""The feasibility API: templates and weights, agreements, sending, answering (own site only), the
ranking and decisions; 422 naming the field for bad input with nothing written, 404 outside scope."""

import io

import openpyxl
import pytest

from tests.writes import nothing_written
from trialdesk.feasibility.tests.test_services import ANSWERS_A1


@pytest.fixture
def api(client_for):
    def as_person(user):
        client = client_for(user)

        def call(method, path, body=None):
            kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
            return getattr(client, method)("/api/v1" + path, **kwargs)

        return call

    return as_person


def _errors(response) -> set:
    return {e["field"] for e in response.json()["errors"]}


def test_the_round_through_the_api(world, api, feasibility_round, client_for):
    crm, coordinator = api(world.crm), api(feasibility_round.coordinator_a1)
    study, a1, a2 = world.study_a.pk, world.site_a1.pk, world.site_a2.pk
    templates = crm("get", f"/studies/{study}/feasibility/templates").json()
    template = templates["items"][0]
    assert templates["count"] == 1 and len(template["questions"]) == 10

    question = next(q for q in template["questions"] if q["key"] == "storage_2_8")
    patch = {"weight": "-1", "reason": "Less", "version": question["version"]}
    with nothing_written():
        refused = crm("patch", f"/feasibility-questions/{question['id']}", patch)
    assert refused.status_code == 422 and _errors(refused) == {"weight"}
    assert (
        crm("patch", f"/feasibility-questions/{question['id']}", {**patch, "weight": "4"}).json()["weight"]
        == "4.00"
    )

    sent = crm("post", f"/study-sites/{a2}/feasibility/agreement", {"sent_on": "2025-02-01"})
    assert sent.status_code == 201 and sent.json()["status"] == "sent"
    with nothing_written():
        early = crm(
            "post",
            f"/studies/{study}/feasibility/questionnaires",
            {"template_id": template["id"], "study_site_id": a2},
        )
    assert early.status_code == 422 and _errors(early) == {"study_site_id"}
    with nothing_written():
        bare = crm("post", f"/feasibility-agreements/{sent.json()['id']}/executed", {})
    assert bare.status_code == 422 and _errors(bare) == {"executed_on", "document_url"}

    body = {"template_id": template["id"], "study_site_id": a1, "due_on": "2099-01-31"}
    questionnaire = crm("post", f"/studies/{study}/feasibility/questionnaires", body).json()
    url = f"/feasibility-questionnaires/{questionnaire['id']}"
    assert api(world.coordinator)("get", url).status_code == 404  # the coordinator of B1
    assert api(world.auditor)("put", url + "/answers", {"answers": {}}).status_code == 403
    with nothing_written():
        bad = coordinator("put", url + "/answers", {"answers": {"storage_2_8": "perhaps"}})
    assert bad.status_code == 422 and _errors(bad) == {"storage_2_8"}
    done = coordinator("put", url + "/answers", {"answers": ANSWERS_A1, "submit": True})
    assert (
        done.status_code == 200 and done.json()["status"] == "submitted" and done.json()["score"] == "100.00"
    )

    ranking = crm("get", f"/studies/{study}/feasibility/ranking").json()
    first = ranking["items"][0]
    assert (first["site_number"], first["rank"], first["cda_status"]) == ("101", 1, "executed")
    assert first["past_performance"]["earlier_sites"] == 0
    with nothing_written():
        no_reason = crm("post", f"/study-sites/{a1}/selection-decision", {"outcome": "selected"})
    assert no_reason.status_code == 422 and _errors(no_reason) == {"rationale"}
    decided = crm(
        "post", f"/study-sites/{a1}/selection-decision", {"outcome": "selected", "rationale": "Best."}
    )
    assert decided.status_code == 201 and decided.json()["score"] == "100.00"
    assert crm("get", f"/studies/{study}/feasibility/decisions").json()["count"] == 1

    workbook = client_for(world.crm).get(f"/studies/{study}/feasibility/ranking.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert [cell.value for cell in sheet[2]][:3] == [1, "101", str(world.site_a1.institution)]
