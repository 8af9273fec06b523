"""Feasibility writes: the round from agreement to decision, each refusal of bad input with the field it
names and nothing written, and the site's status moving only through the sites lifecycle."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.feasibility import selectors, services
from trialdesk.feasibility.tests.factories import make_executed_cda

ANSWERS_A1 = {
    "eligible_patients_per_year": "150",
    "expected_enrollment": "20",
    "competing_studies": "0",
    "dedicated_coordinator": "yes",
    "investigator_experience": "More than 5",
    "equipment_available": "yes",
    "storage_2_8": "yes",
    "ethics_turnaround": "Under 30 days",
    "prior_enrollment_met": "yes",
}


def _field_of(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def test_a_round_from_agreement_to_selection(world, feasibility_round):
    site_a1, crm = world.site_a1, world.crm
    questionnaire = services.send_questionnaire(
        template=feasibility_round.template, study_site=site_a1, by=crm
    )
    site_a1.refresh_from_db()
    assert site_a1.status == "under_feasibility"
    assert selectors.cda_executed_site_ids(world.study_a) == {site_a1.pk}
    assert selectors.executed_cda(site_a1).document_url.endswith("cda-101.pdf")

    coordinator = feasibility_round.coordinator_a1
    services.save_answers(questionnaire=questionnaire, by=coordinator, answers={"storage_2_8": "yes"})
    with pytest.raises(ValidationError) as refused:
        services.save_answers(questionnaire=questionnaire, by=coordinator, answers={}, submit=True)
    assert "eligible_patients_per_year" in _field_of(refused) and "comments" not in _field_of(refused)
    assert [q.pk for q in selectors.questionnaires_to_answer(coordinator)] == [questionnaire.pk]

    submitted = services.save_answers(
        questionnaire=questionnaire, by=coordinator, answers=ANSWERS_A1, submit=True
    )
    assert submitted.status == "submitted" and submitted.submitted_by == coordinator
    with pytest.raises(ValidationError, match="submitted"):
        services.save_answers(questionnaire=submitted, by=coordinator, answers={"storage_2_8": "no"})
    assert [q.pk for q in selectors.answers_to_score(crm)] == [questionnaire.pk]

    ranked = selectors.ranking(crm, world.study_a)
    assert [(r.site.site_number, r.rank, r.score) for r in ranked][0] == ("101", 1, 100)
    assert ranked[1].site.site_number == "102" and ranked[1].rank is None and ranked[1].cda_state == "none"

    site_a1.refresh_from_db()
    decision = services.decide_selection(
        study_site=site_a1, by=crm, outcome="selected", rationale="Best score."
    )
    site_a1.refresh_from_db()
    assert (site_a1.status, decision.score, decision.rank) == ("selected", 100, 1)
    assert AuditEvent.objects.filter(action="selectiondecision.created", reason="Best score.").exists()
    assert AuditEvent.objects.filter(
        action="studysite.status_changed", object_id=str(site_a1.pk), reason="Selection decision: Best score."
    ).exists()
    assert list(selectors.answers_to_score(crm)) == []


def test_not_selected_terminates_the_site_through_its_lifecycle(world, feasibility_round):
    services.decide_selection(
        study_site=world.site_a2, by=world.crm, outcome="not_selected", rationale="No PET."
    )
    world.site_a2.refresh_from_db()
    assert world.site_a2.status == "terminated"
    with pytest.raises(ValidationError) as refused, nothing_written():
        services.decide_selection(
            study_site=world.site_a2, by=world.crm, outcome="selected", rationale="Again"
        )
    assert "study_site" in _field_of(refused)


def test_a_questionnaire_before_an_executed_cda_is_refused(world, feasibility_round):
    agreement = services.record_cda_sent(
        study_site=world.site_a2, by=world.crm, sent_on=world.site_a2.local_today()
    )
    with pytest.raises(ValidationError, match="confidentiality agreement must be executed") as refused:
        with nothing_written():
            services.send_questionnaire(
                template=feasibility_round.template, study_site=world.site_a2, by=world.crm
            )
    assert _field_of(refused) == {"study_site"}
    with pytest.raises(ValidationError) as refused, nothing_written():
        services.record_cda_executed(agreement=agreement, by=world.crm, executed_on=None, document_url="")
    assert _field_of(refused) == {"executed_on", "document_url"}


def test_a_weight_below_zero_is_refused_naming_it(world, feasibility_round):
    question = feasibility_round.template.questions.get(key="storage_2_8")
    with pytest.raises(ValidationError) as refused, nothing_written():
        services.update_question(question=question, by=world.crm, changes={"weight": -1}, reason="Less")
    assert refused.value.message_dict == {"weight": ["A weight cannot be below 0."]}
    with pytest.raises(ValidationError) as refused, nothing_written():
        services.add_question(
            template=feasibility_round.template,
            by=world.crm,
            key="mri",
            text="MRI?",
            kind="yes_no",
            weight=-2,
        )
    assert _field_of(refused) == {"weight"}


def test_a_decision_without_rationale_is_refused(world, feasibility_round):
    with pytest.raises(ValidationError) as refused, nothing_written():
        services.decide_selection(study_site=world.site_a1, by=world.crm, outcome="selected", rationale="  ")
    assert _field_of(refused) == {"rationale"}


def test_answers_only_by_the_site_own_staff_and_bad_answers_save_nothing(world, feasibility_round):
    make_executed_cda(world.site_a2, by=world.crm)
    world.site_a2.refresh_from_db()
    questionnaire_a2 = services.send_questionnaire(
        template=feasibility_round.template, study_site=world.site_a2, by=world.crm
    )
    # Answering for another site: 404 on pages and API (scoping), and the service refuses it too.
    assert (
        not selectors.questionnaires_for(feasibility_round.coordinator_a1)
        .filter(pk=questionnaire_a2.pk)
        .exists()
    )
    with pytest.raises(PermissionDenied), nothing_written():
        services.save_answers(questionnaire=questionnaire_a2, by=feasibility_round.coordinator_a1, answers={})
    with pytest.raises(PermissionDenied), nothing_written():
        services.save_answers(
            questionnaire=questionnaire_a2, by=world.monitor, answers={"storage_2_8": "yes"}
        )
    bad = {"storage_2_8": "yes", "competing_studies": "several", "unknown_key": "1"}
    with pytest.raises(ValidationError) as refused, nothing_written():
        services.save_answers(questionnaire=questionnaire_a2, by=world.crm, answers=bad)
    assert _field_of(refused) == {"competing_studies", "unknown_key"}
    # Once sent, a question's kind no longer changes; its weight still does.
    question = feasibility_round.template.questions.get(key="storage_2_8")
    with pytest.raises(ValidationError) as refused, nothing_written():
        services.update_question(
            question=question, by=world.crm, changes={"kind": "text"}, reason="Free text"
        )
    assert _field_of(refused) == {"kind"}
    assert (
        services.update_question(question=question, by=world.crm, changes={"weight": 5}, reason="Key").weight
        == 5
    )


def test_only_the_crm_runs_feasibility(world, feasibility_round):
    for person in (world.auditor, world.monitor, feasibility_round.coordinator_a1):
        with pytest.raises(PermissionDenied), nothing_written():
            services.decide_selection(
                study_site=world.site_a1, by=person, outcome="selected", rationale="Mine"
            )
        with pytest.raises(PermissionDenied), nothing_written():
            services.record_cda_sent(study_site=world.site_a2, by=person, sent_on=world.site_a2.local_today())
