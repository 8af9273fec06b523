"""The feasibility API: templates and their weighted questions, confidentiality agreements, the
questionnaires sent to candidate sites and their answers, the ranked list and the selection decisions.
Reads start from what the caller may see (404 outside it: a site's staff see only their own site's
questionnaire); writes ask the permission question first, so a read-only role hears 403."""

from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    model_values,
    page_schema,
    paginate,
    referenced,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.feasibility import selectors, services
from trialdesk.feasibility.models import QuestionnaireTemplate, TemplateQuestion
from trialdesk.feasibility.permissions import (
    ONLY_CRM,
    ONLY_SITE_STAFF,
    can_answer_questionnaire,
    can_manage_feasibility,
)
from trialdesk.feasibility.schemas import (
    CdaExecutedIn,
    CdaOut,
    CdaSentIn,
    FeasibilityAnswersIn,
    FeasibilityCandidateOut,
    FeasibilityQuestionIn,
    FeasibilityQuestionnaireDetailOut,
    FeasibilityQuestionnaireIn,
    FeasibilityQuestionnaireOut,
    FeasibilityQuestionOut,
    FeasibilityQuestionPatch,
    FeasibilityTemplateIn,
    FeasibilityTemplateOut,
    SelectionDecisionIn,
    SelectionDecisionOut,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

router = Router(tags=["feasibility"])


def _text(value) -> str | None:
    return None if value is None else str(value)


def _decimal(value) -> str | None:
    """A weight, target or score with its two decimals, as stored (a value just written may have fewer)."""
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def question_out(q: TemplateQuestion) -> dict:
    names = "id key text topic kind lower_is_better required position version".split()
    return {
        **{n: getattr(q, n) for n in names},
        "choices": list(q.choices or []),
        "target": _decimal(q.target),
        "weight": _decimal(q.weight),
    }


def template_out(t: QuestionnaireTemplate) -> dict:
    return {
        "id": t.pk,
        "study_id": t.study_id,
        "name": t.name,
        "description": t.description,
        "version": t.version,
        "questions": [question_out(q) for q in selectors.questions_of(t)],
    }


def agreement_out(a) -> dict:
    names = "id study_id study_site_id status sent_on executed_on document_url notes version".split()
    return {**{n: getattr(a, n) for n in names}, "site_number": a.study_site.site_number}


def questionnaire_out(q, score=None) -> dict:
    names = "id study_id study_site_id template_id status sent_on due_on submitted_at version".split()
    return {
        **{n: getattr(q, n) for n in names},
        "site_number": q.study_site.site_number,
        "template_name": q.template.name,
        "score": _text(score),
    }


def decision_out(d) -> dict:
    names = "id study_site_id outcome rationale decided_on rank".split()
    return {**{n: getattr(d, n) for n in names}, "decided_by": d.decided_by.username, "score": _text(d.score)}


def candidate_out(row: selectors.CandidateRow) -> dict:
    past = row.past
    return {
        "rank": row.rank,
        "study_site_id": row.site.pk,
        "site_number": row.site.site_number,
        "institution": str(row.site.institution),
        "country": row.site.institution.country,
        "status": row.site.status,
        "cda_status": row.cda_state,
        "questionnaire_id": row.questionnaire.pk if row.questionnaire else None,
        "questionnaire_status": row.questionnaire.status if row.questionnaire else None,
        "score": _text(row.score),
        "past_performance": {
            "earlier_sites": past.earlier_sites,
            "enrollment_per_month": _text(past.enrollment_per_month),
            "activation_days": past.activation_days,
            "deviations_per_participant": _text(past.deviations_per_participant),
        },
        "decision": decision_out(row.decision) if row.decision else None,
    }


# Templates ---------------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/feasibility/templates",
    response=with_errors({200: page_schema(FeasibilityTemplateOut)}, READ_ERRORS),
)
def list_feasibility_templates(request, study_id: int, page: Query[PageQuery]):
    """The study's feasibility questionnaire templates with their questions and weights."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.templates_for(actor(request), study), page)
    return {**found, "items": [template_out(t) for t in found["items"]]}


@router.post(
    "/studies/{study_id}/feasibility/templates",
    response=with_errors({201: FeasibilityTemplateOut}, WRITE_ERRORS),
)
def create_feasibility_template(request, study_id: int, payload: FeasibilityTemplateIn):
    """A new template, empty or with the usual feasibility questions (`with_default_questions`)."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_manage_feasibility(user, study.pk), ONLY_CRM)
    if payload.with_default_questions:
        template = services.create_default_template(study=study, by=user, name=payload.name)
    else:
        template = services.create_template(
            study=study, by=user, name=payload.name, description=payload.description
        )
    return Status(201, template_out(template))


@router.get(
    "/feasibility-templates/{feasibility_template_id}",
    response=with_errors({200: FeasibilityTemplateOut}, READ_ERRORS),
)
def get_feasibility_template(request, feasibility_template_id: int, response: HttpResponse):
    template = get_object_or_404(selectors.templates_for(actor(request)), pk=feasibility_template_id)
    set_etag(response, template)
    return template_out(template)


@router.post(
    "/feasibility-templates/{feasibility_template_id}/questions",
    response=with_errors({201: FeasibilityQuestionOut}, WRITE_ERRORS),
)
def add_feasibility_question(request, feasibility_template_id: int, payload: FeasibilityQuestionIn):
    """Add a question: its kind, how its answer scores, and its weight (0 to 100)."""
    user = actor(request)
    template = get_object_or_404(selectors.templates_for(user), pk=feasibility_template_id)
    require(can_manage_feasibility(user, template.study_id), ONLY_CRM)
    values = payload.model_dump(exclude_unset=True)
    values.setdefault("kind", payload.kind)
    return Status(201, question_out(services.add_question(template=template, by=user, **values)))


@router.patch(
    "/feasibility-questions/{feasibility_question_id}",
    response=with_errors({200: FeasibilityQuestionOut}, WRITE_ERRORS),
)
def update_question(
    request,
    feasibility_question_id: int,
    payload: FeasibilityQuestionPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change a question's wording, weight or scoring (a reason is required); scores follow the weights."""
    user = actor(request)
    question = visible_or_404(request, TemplateQuestion, feasibility_question_id, "template")
    require(can_manage_feasibility(user, question.template.study_id), ONLY_CRM)
    saved = services.update_question(
        question=question,
        by=user,
        changes=model_values(payload),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, saved)
    return question_out(saved)


def managed_site(request, study_site_id: int) -> tuple:
    """The caller and the candidate site it names, once the caller may manage the study's feasibility."""
    user = actor(request)
    site = visible_or_404(request, StudySite, study_site_id, "study")
    require(can_manage_feasibility(user, site.study_id), ONLY_CRM)
    return user, site


# Confidentiality agreements ----------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/feasibility/agreements",
    response=with_errors({200: page_schema(CdaOut)}, READ_ERRORS),
)
def list_confidentiality_agreements(request, study_id: int, page: Query[PageQuery]):
    """The confidentiality agreements with the study's candidate sites the caller may see."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.agreements_for(actor(request), study), page)
    return {**found, "items": [agreement_out(a) for a in found["items"]]}


@router.post(
    "/study-sites/{study_site_id}/feasibility/agreement",
    response=with_errors({201: CdaOut}, WRITE_ERRORS),
)
def record_cda_sent(request, study_site_id: int, payload: CdaSentIn):
    """Record the confidentiality agreement sent to a candidate site."""
    user, site = managed_site(request, study_site_id)
    agreement = services.record_cda_sent(
        study_site=site, by=user, sent_on=payload.sent_on, notes=payload.notes
    )
    return Status(201, agreement_out(agreement))


@router.post(
    "/feasibility-agreements/{feasibility_agreement_id}/executed",
    response=with_errors({200: CdaOut}, WRITE_ERRORS),
)
def record_cda_executed(request, feasibility_agreement_id: int, payload: CdaExecutedIn):
    """Record the agreement executed: the day and where the signed document is filed (both required)."""
    user = actor(request)
    agreement = get_object_or_404(selectors.agreements_for(user), pk=feasibility_agreement_id)
    require(can_manage_feasibility(user, agreement.study_id), ONLY_CRM)
    saved = services.record_cda_executed(
        agreement=agreement,
        by=user,
        executed_on=payload.executed_on,
        document_url=payload.document_url,
        expected_version=payload.version,
    )
    return agreement_out(saved)


# Questionnaires and answers ------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/feasibility/questionnaires",
    response=with_errors({200: page_schema(FeasibilityQuestionnaireOut)}, READ_ERRORS),
)
def list_feasibility_questionnaires(request, study_id: int, page: Query[PageQuery]):
    """The questionnaires sent to the study's sites (a site's staff: their own), with submitted scores."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.questionnaires_for(actor(request), study), page)
    scores = selectors.scores_of([q for q in found["items"] if q.status == "submitted"])
    return {**found, "items": [questionnaire_out(q, scores.get(q.pk)) for q in found["items"]]}


@router.post(
    "/studies/{study_id}/feasibility/questionnaires",
    response=with_errors({201: FeasibilityQuestionnaireOut}, WRITE_ERRORS),
)
def send_feasibility_questionnaire(request, study_id: int, payload: FeasibilityQuestionnaireIn):
    """Send a template's questionnaire to a candidate site whose confidentiality agreement is executed."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_manage_feasibility(user, study.pk), ONLY_CRM)
    template = referenced(selectors.templates_for(user, study), payload.template_id, field="template_id")
    site = referenced(
        StudySite.objects.visible_to(user).filter(study=study), payload.study_site_id, field="study_site_id"
    )
    questionnaire = services.send_questionnaire(
        template=template, study_site=site, by=user, due_on=payload.due_on
    )
    return Status(201, questionnaire_out(questionnaire))


def _questionnaire(request, questionnaire_id: int):
    return get_object_or_404(selectors.questionnaires_for(actor(request)), pk=questionnaire_id)


def _detail(questionnaire) -> dict:
    answered = selectors.answered_questions(questionnaire)
    score = (
        selectors.scores_of([questionnaire])[questionnaire.pk]
        if questionnaire.status == "submitted"
        else None
    )
    return {
        **questionnaire_out(questionnaire, score),
        "answers": [
            {
                "question_id": a.question.pk,
                "key": a.question.key,
                "text": a.question.text,
                "kind": a.question.kind,
                "value": a.value,
                "score": _text(a.score),
            }
            for a in answered
        ],
    }


@router.get(
    "/feasibility-questionnaires/{feasibility_questionnaire_id}",
    response=with_errors({200: FeasibilityQuestionnaireDetailOut}, READ_ERRORS),
)
def get_feasibility_questionnaire(request, feasibility_questionnaire_id: int, response: HttpResponse):
    """A questionnaire with every question, the site's answers and each answer's score."""
    questionnaire = _questionnaire(request, feasibility_questionnaire_id)
    set_etag(response, questionnaire)
    return _detail(questionnaire)


@router.put(
    "/feasibility-questionnaires/{feasibility_questionnaire_id}/answers",
    response=with_errors({200: FeasibilityQuestionnaireDetailOut}, WRITE_ERRORS),
)
def save_feasibility_answers(request, feasibility_questionnaire_id: int, payload: FeasibilityAnswersIn):
    """The site's answers by question key (only the site's own staff; 404 for another site's), and with
    `submit` handed to the CRM. A bad answer refuses them all, naming the question key."""
    user = actor(request)
    questionnaire = _questionnaire(request, feasibility_questionnaire_id)
    require(can_answer_questionnaire(user, questionnaire), ONLY_SITE_STAFF)
    saved = services.save_answers(
        questionnaire=questionnaire, by=user, answers=payload.answers, submit=payload.submit
    )
    return _detail(saved)


# Ranking and decisions ----------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/feasibility/ranking",
    response=with_errors({200: page_schema(FeasibilityCandidateOut)}, READ_ERRORS),
)
def feasibility_ranking(request, study_id: int, page: Query[PageQuery]):
    """The candidate sites ranked by their submitted questionnaire's score, with their institutions' past
    performance in Trialdesk (earlier studies), agreement state and decision."""
    study = visible_or_404(request, Study, study_id)
    rows = selectors.ranking(actor(request), study)
    shown = rows[page.offset : page.offset + page.limit]
    return {
        "count": len(rows),
        "limit": page.limit,
        "offset": page.offset,
        "items": [candidate_out(r) for r in shown],
    }


@router.get(
    "/studies/{study_id}/feasibility/decisions",
    response=with_errors({200: page_schema(SelectionDecisionOut)}, READ_ERRORS),
)
def list_selection_decisions(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.decisions_for(actor(request), study), page)
    return {**found, "items": [decision_out(d) for d in found["items"]]}


@router.post(
    "/study-sites/{study_site_id}/selection-decision",
    response=with_errors({201: SelectionDecisionOut}, WRITE_ERRORS),
)
def decide_selection(request, study_site_id: int, payload: SelectionDecisionIn):
    """Select a candidate site or not, with the rationale (required); the site's status moves with it."""
    user, site = managed_site(request, study_site_id)
    decision = services.decide_selection(
        study_site=site,
        by=user,
        outcome=payload.outcome,
        rationale=payload.rationale,
        decided_on=payload.decided_on,
    )
    return Status(201, decision_out(decision))
