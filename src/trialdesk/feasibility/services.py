"""Writes of feasibility, each through core.records (audited in the same transaction): templates and
their weighted questions, confidentiality agreements, sending questionnaires, the site's answers, and
the selection decision, which moves the site's status through sites.services (its lifecycle rules)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.permissions import require
from trialdesk.feasibility import rules, selectors
from trialdesk.feasibility.models import (
    ConfidentialityAgreement,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireTemplate,
    SelectionDecision,
    TemplateQuestion,
)
from trialdesk.feasibility.permissions import (
    ONLY_CRM,
    ONLY_SITE_STAFF,
    can_answer_questionnaire,
    can_manage_feasibility,
)
from trialdesk.sites import rules as site_rules
from trialdesk.sites import services as site_services

TEMPLATE_FIELDS = ("name", "description")
QUESTION_FIELDS = (
    "key",
    "text",
    "topic",
    "kind",
    "choices",
    "target",
    "lower_is_better",
    "weight",
    "required",
    "position",
)
# Once a questionnaire of the template is out, these would change what the sites answered: only the
# scoring (weight, target, which way is better) and the wording may still change.
FROZEN_ONCE_SENT = ("key", "kind", "choices")


def create_template(*, study, by, name: str, description: str = "") -> QuestionnaireTemplate:
    require(can_manage_feasibility(by, study.pk), ONLY_CRM)
    return records.create_record(
        QuestionnaireTemplate(study=study, name=name, description=description), by=by
    )


def update_template(*, template, by, changes: dict, reason: str, expected_version: int | None = None):
    require(can_manage_feasibility(by, template.study_id), ONLY_CRM)
    return records.update_record(
        template,
        changes=records.only_fields(changes, TEMPLATE_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def create_default_template(*, study, by, name: str = "Site feasibility") -> QuestionnaireTemplate:
    """A template with the usual feasibility questions (rules.DEFAULT_QUESTIONS), to adjust."""
    template = create_template(study=study, by=by, name=name, description="The usual feasibility questions.")
    for position, default in enumerate(rules.DEFAULT_QUESTIONS, start=1):
        add_question(
            template=template,
            by=by,
            key=default.key,
            text=default.text,
            topic=default.topic,
            kind=default.kind,
            choices=list(default.choices),
            target=default.target,
            lower_is_better=default.lower_is_better,
            weight=default.weight,
            required=default.required,
            position=position,
        )
    return template


def add_question(*, template, by, **values) -> TemplateQuestion:
    require(can_manage_feasibility(by, template.study_id), ONLY_CRM)
    values = records.only_fields(values, QUESTION_FIELDS)
    if "position" not in values:
        values["position"] = template.questions.count() + 1
    return records.create_record(TemplateQuestion(template=template, **values), by=by)


def update_question(*, question, by, changes: dict, reason: str, expected_version: int | None = None):
    """Change a question; its weight and scoring may change at any time (scores follow), its kind and
    answers offered only while no questionnaire of its template has been sent."""
    require(can_manage_feasibility(by, question.template.study_id), ONLY_CRM)
    changes = records.only_fields(changes, QUESTION_FIELDS)
    if question.template.questionnaires.exists():
        frozen = {
            name: "The questionnaire has been sent: this can no longer change (add a new question instead)."
            for name in FROZEN_ONCE_SENT
            if name in changes and changes[name] != getattr(question, name)
        }
        if frozen:
            raise ValidationError(frozen)
    return records.update_record(
        question, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


# Confidentiality agreements ---------------------------------------------------------------------------


def record_cda_sent(*, study_site, by, sent_on: dt.date, notes: str = "") -> ConfidentialityAgreement:
    """The confidentiality agreement sent to a candidate site (one per site)."""
    require(can_manage_feasibility(by, study_site.study_id), ONLY_CRM)
    if ConfidentialityAgreement.objects.filter(study_site=study_site).exists():
        raise ValidationError(
            {"study_site": gettext("This site's confidentiality agreement is already recorded.")}
        )
    return records.create_record(
        ConfidentialityAgreement(study=study_site.study, study_site=study_site, sent_on=sent_on, notes=notes),
        by=by,
    )


def record_cda_executed(
    *,
    agreement,
    by,
    executed_on: dt.date,
    document_url: str,
    reason: str = "Agreement executed",
    expected_version: int | None = None,
) -> ConfidentialityAgreement:
    """The agreement signed by both parties: its date and where the signed document is filed."""
    require(can_manage_feasibility(by, agreement.study_id), ONLY_CRM)
    return records.update_record(
        agreement,
        changes={"status": rules.CDA_EXECUTED, "executed_on": executed_on, "document_url": document_url},
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="executed",
    )


def record_cda_declined(*, agreement, by, reason: str, expected_version: int | None = None):
    require(can_manage_feasibility(by, agreement.study_id), ONLY_CRM)
    return records.update_record(
        agreement,
        changes={"status": rules.CDA_DECLINED, "executed_on": None},
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="declined",
    )


# Questionnaires ---------------------------------------------------------------------------------------


@transaction.atomic
def send_questionnaire(*, template, study_site, by, due_on: dt.date | None = None) -> Questionnaire:
    """Send a questionnaire to a candidate site whose confidentiality agreement is executed; a site still
    identified moves to "under feasibility" (through the sites lifecycle)."""
    require(can_manage_feasibility(by, template.study_id), ONLY_CRM)
    agreement = ConfidentialityAgreement.objects.filter(study_site=study_site).first()
    problems = rules.send_problem(
        site_status=study_site.status, cda_status=agreement.status if agreement else None
    )
    if problems:
        raise ValidationError(problems)
    if not template.questions.exists():
        raise ValidationError({"template": gettext("The template has no questions yet.")})
    questionnaire = records.create_record(
        Questionnaire(
            study=study_site.study,
            study_site=study_site,
            template=template,
            sent_on=study_site.local_today(),
            due_on=due_on,
        ),
        by=by,
    )
    if study_site.status == "identified":
        site_services.change_site_status(
            study_site=study_site, to="under_feasibility", by=by, reason="Feasibility questionnaire sent"
        )
    return questionnaire


@transaction.atomic
def save_answers(*, questionnaire, by, answers: dict[str, str], submit: bool = False) -> Questionnaire:
    """Save the site's answers (by question key; blank clears one), and with `submit` hand them to the
    CRM: every required question answered. Refused whole, naming each question key, when any answer does
    not fit its question; a submitted questionnaire no longer changes."""
    require(can_answer_questionnaire(by, questionnaire), ONLY_SITE_STAFF)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.status == rules.SUBMITTED:
        raise ValidationError(
            {"status": gettext("The questionnaire was submitted: its answers no longer change.")}
        )
    questions = {q.key: q for q in selectors.questions_of(questionnaire.template)}
    problems = {
        key: "This is not a question of this questionnaire." for key in answers if key not in questions
    }
    parsed = {}
    for key, raw in answers.items():
        if key in questions:
            try:
                parsed[key] = rules.parse_answer(questions[key].facts(), str(raw if raw is not None else ""))
            except ValueError as problem:
                problems[key] = str(problem)
    if problems:
        raise ValidationError(problems)
    existing = {a.question_id: a for a in QuestionnaireAnswer.objects.filter(questionnaire=questionnaire)}
    for key, value in parsed.items():
        question = questions[key]
        answer = existing.get(question.pk)
        if answer is None and value:
            existing[question.pk] = records.create_record(
                QuestionnaireAnswer(questionnaire=questionnaire, question=question, value=value), by=by
            )
        elif answer is not None and answer.value != value:
            existing[question.pk] = records.update_record(
                answer, changes={"value": value}, by=by, reason="Answer changed"
            )
    if submit:
        values = {pk: a.value for pk, a in existing.items()}
        missing = rules.missing_required(
            [(q.facts(), key, values.get(q.pk, "")) for key, q in questions.items()]
        )
        if missing:
            raise ValidationError({key: "Answer this question before submitting." for key in missing})
        questionnaire = records.update_record(
            questionnaire,
            changes={"status": rules.SUBMITTED, "submitted_at": timezone.now(), "submitted_by": by},
            by=by,
            reason="Answers submitted",
            action="submitted",
        )
    return questionnaire


def reopen_questionnaire(*, questionnaire, by, reason: str) -> Questionnaire:
    """The CRM hands a submitted questionnaire back to the site (to correct or complete an answer)."""
    require(can_manage_feasibility(by, questionnaire.study_id), ONLY_CRM)
    if questionnaire.status != rules.SUBMITTED:
        raise ValidationError({"status": gettext("Only a submitted questionnaire can be handed back.")})
    return records.update_record(
        questionnaire,
        changes={"status": rules.SENT, "submitted_at": None, "submitted_by": None},
        by=by,
        reason=reason,
        action="reopened",
    )


# Selection ----------------------------------------------------------------------------------------------


@transaction.atomic
def decide_selection(
    *, study_site, by, outcome: str, rationale: str, decided_on: dt.date | None = None
) -> SelectionDecision:
    """Select a candidate site or not, with the rationale; the score and rank it had are kept with the
    decision, and the site moves to "selected" (or "terminated") through the sites lifecycle, so that
    whatever rules hold there hold here."""
    require(can_manage_feasibility(by, study_site.study_id), ONLY_CRM)
    problems = rules.decision_problem(site_status=study_site.status, rationale=rationale)
    if outcome not in rules.STATUS_AFTER_DECISION:
        problems["outcome"] = gettext("Choose selected or not_selected.")
    if SelectionDecision.objects.filter(study_site=study_site).exists():
        problems["study_site"] = gettext("This site's selection is already decided.")
    if problems:
        raise ValidationError(problems)
    row = next((r for r in selectors.ranking(by, study_site.study) if r.site.pk == study_site.pk), None)
    decision = records.create_record(
        SelectionDecision(
            study=study_site.study,
            study_site=study_site,
            outcome=outcome,
            rationale=rationale.strip(),
            decided_on=decided_on or study_site.local_today(),
            decided_by=by,
            score=row.score if row else None,
            rank=row.rank if row else None,
        ),
        by=by,
        reason=rationale.strip(),
    )
    target = rules.STATUS_AFTER_DECISION[outcome]
    path = site_rules.site_status_path(
        study_site.status, target, status_before_hold=study_site.status_before_hold
    )
    for status in path or []:
        study_site = site_services.change_site_status(
            study_site=study_site, to=status, by=by, reason=f"Selection decision: {rationale.strip()}"
        )
    return decision


@transaction.atomic
def record_past_decision(*, study_site, by, rationale: str, decided_on: dt.date) -> SelectionDecision:
    """Record the selection of a site decided before its study's feasibility moved to Trialdesk (kept in
    the sponsor's previous system): the site is selected or further along already, so its status does not
    change; the day is what start-up cycle times and past performance count from."""
    require(can_manage_feasibility(by, study_site.study_id), ONLY_CRM)
    problems = {}
    if not (rationale or "").strip():
        problems["rationale"] = gettext("Give the rationale for the decision.")
    if study_site.status in rules.CANDIDATE_STATUSES:
        problems["study_site"] = gettext("This site is still a candidate: decide its selection instead.")
    if SelectionDecision.objects.filter(study_site=study_site).exists():
        problems["study_site"] = gettext("This site's selection is already decided.")
    if decided_on > study_site.local_today():
        problems["decided_on"] = gettext("The day of the decision cannot be in the future.")
    if problems:
        raise ValidationError(problems)
    decision = SelectionDecision(
        study=study_site.study, study_site=study_site, outcome=rules.SELECTED, rationale=rationale.strip(),
        decided_on=decided_on, decided_by=by,
    )  # fmt: skip
    return records.create_record(decision, by=by, reason=rationale.strip())
