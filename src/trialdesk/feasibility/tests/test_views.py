"""Feasibility pages: the study tab, the site's answer page (save, submit, field errors, own site only),
and the CRM's forms naming the field the service refuses."""

from tests.writes import nothing_written
from trialdesk.feasibility import services
from trialdesk.feasibility.tests.test_services import ANSWERS_A1


def test_the_tab_and_the_answer_page(world, feasibility_round, client_for):
    questionnaire = services.send_questionnaire(
        template=feasibility_round.template, study_site=world.site_a1, by=world.crm
    )
    crm, coordinator = client_for(world.crm), client_for(feasibility_round.coordinator_a1)
    tab = crm.get(f"/studies/{world.study_a.pk}/?tab=feasibility")
    assert tab.status_code == 200 and b"feasibility-ranking" in tab.content and b"Record sent" in tab.content

    url = f"/feasibility-questionnaires/{questionnaire.pk}/"
    assert client_for(world.coordinator).get(url).status_code == 404
    page = coordinator.get(url)
    assert page.status_code == 200 and b"Submit to the sponsor" in page.content
    with nothing_written():
        refused = coordinator.post(url, {**ANSWERS_A1, "competing_studies": "lots", "submit": "1"})
    assert refused.status_code == 200 and "competing_studies" in refused.context["form"].errors
    assert coordinator.post(url, {"storage_2_8": "yes", "save": "1"}).status_code == 302
    assert coordinator.post(url, {**ANSWERS_A1, "submit": "1"}).status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.status == "submitted"
    assert b"Score: 100.00" in crm.get(url).content
    work = coordinator.get("/my-work/")
    assert work.status_code == 200
    # The site page's Feasibility panel: score and rank to the CRM, the rank hidden from the site's staff.
    site_page = f"/study-sites/{world.site_a1.pk}/"
    panel = crm.get(site_page).content.decode()
    assert 'id="site-feasibility"' in panel and "100.00 %" in panel and "1 of 1 scored candidates" in panel
    own = coordinator.get(site_page).content.decode()
    assert 'id="site-feasibility"' in own and "hidden (shown to the study" in own and "1 of 1" not in own


def test_the_decision_form_names_the_missing_rationale(world, feasibility_round, client_for):
    crm = client_for(world.crm)
    url = f"/study-sites/{world.site_a1.pk}/selection-decision/"
    assert client_for(world.auditor).post(url, {"outcome": "selected"}).status_code == 403
    with nothing_written():
        refused = crm.post(url, {"outcome": "selected", "rationale": ""})
    assert "rationale" in refused.context["form"].errors
    assert crm.post(url, {"outcome": "selected", "rationale": "Best site."}).status_code == 302
    world.site_a1.refresh_from_db()
    assert world.site_a1.status == "selected"
    question = feasibility_round.template.questions.get(key="storage_2_8")
    edit = crm.post(
        f"/feasibility-questions/{question.pk}/edit/",
        {
            "key": question.key,
            "text": question.text,
            "topic": "storage",
            "kind": "yes_no",
            "weight": "-1",
            "required": "on",
            "version": question.version,
            "reason": "Lower",
        },
    )
    assert edit.context["form"].errors["weight"] == ["A weight cannot be below 0."]
