"""Pages of feasibility: templates and their weighted questions, the confidentiality agreement of a
candidate site, sending questionnaires, the site's answer page (site-facing: save and submit), the
selection decision, and the ranked list as an Excel workbook. Thin: selector, service, template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data
from trialdesk.feasibility import exports, rules, selectors, services
from trialdesk.feasibility.forms import (
    AgreementExecutedForm,
    AgreementSentForm,
    DecisionForm,
    QuestionForm,
    ReopenForm,
    SendQuestionnaireForm,
    TemplateForm,
    answer_form,
)
from trialdesk.feasibility.models import TemplateQuestion
from trialdesk.feasibility.permissions import (
    ONLY_CRM,
    ONLY_SITE_STAFF,
    can_answer_questionnaire,
    can_manage_feasibility,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import tab_url, visible_study

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tab(study) -> str:
    return tab_url(study, "feasibility")


def _template_url(template) -> str:
    return reverse("feasibility_template", kwargs={"feasibility_template_id": template.pk})


def _visible_site(request, study_site_id) -> StudySite:
    return get_object_or_404(
        StudySite.objects.visible_to(request.user).select_related("study"), pk=study_site_id
    )


@login_required
def template_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_feasibility(request.user, study.pk), ONLY_CRM)

    def save(f):
        if f.cleaned_data["with_default_questions"]:
            return services.create_default_template(study=study, by=request.user, name=f.cleaned_data["name"])
        return services.create_template(
            study=study,
            by=request.user,
            name=f.cleaned_data["name"],
            description=f.cleaned_data["description"],
        )

    return form_page(
        request,
        TemplateForm(post_data(request)),
        save,
        title=gettext("New feasibility questionnaire · %(code)s") % {"code": study.code},
        cancel_url=_tab(study),
        done=_template_url,
        saved=gettext("Template created; adjust its questions and weights."),
        study=study,
    )


@login_required
@require_safe
def template_detail(request, feasibility_template_id):
    template = get_object_or_404(
        selectors.templates_for(request.user).select_related("study"), pk=feasibility_template_id
    )
    context = {
        "template": template,
        "study": template.study,
        "questions": list(selectors.questions_of(template)),
        "sent": template.questionnaires.exists(),
        "may_manage": can_manage_feasibility(request.user, template.study_id),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "feasibility/template.html", context)


@login_required
def question_create(request, feasibility_template_id):
    template = get_object_or_404(
        selectors.templates_for(request.user).select_related("study"), pk=feasibility_template_id
    )
    require(can_manage_feasibility(request.user, template.study_id), ONLY_CRM)
    return form_page(
        request,
        QuestionForm(post_data(request)),
        lambda f: services.add_question(template=template, by=request.user, **f.values()),
        title=gettext("Add a question · %(name)s") % {"name": template.name},
        cancel_url=_template_url(template),
        done=lambda q: _template_url(template),
        saved=gettext("Question added."),
        study=template.study,
    )


@login_required
def question_edit(request, feasibility_question_id):
    question = get_object_or_404(
        TemplateQuestion.objects.visible_to(request.user).select_related("template__study"),
        pk=feasibility_question_id,
    )
    template = question.template
    require(can_manage_feasibility(request.user, template.study_id), ONLY_CRM)
    initial = {
        "key": question.key,
        "text": question.text,
        "topic": question.topic,
        "kind": question.kind,
        "choices": "\n".join(question.choices or []),
        "target": question.target,
        "lower_is_better": question.lower_is_better,
        "weight": question.weight,
        "required": question.required,
    }
    form = QuestionForm(post_data(request), initial=initial, edit_version=question.version)
    return form_page(
        request,
        form,
        lambda f: services.update_question(
            question=question,
            by=request.user,
            changes=f.values(),
            reason=f.cleaned_data["reason"],
            expected_version=f.cleaned_data["version"],
        ),
        title=gettext("Change a question · %(name)s") % {"name": template.name},
        cancel_url=_template_url(template),
        done=lambda q: _template_url(template),
        saved=gettext("Question changed; scores follow the weights."),
        study=template.study,
    )


@login_required
def agreement_sent(request, study_site_id):
    site = _visible_site(request, study_site_id)
    require(can_manage_feasibility(request.user, site.study_id), ONLY_CRM)
    form = AgreementSentForm(post_data(request), initial={"sent_on": site.local_today()})
    return form_page(
        request,
        form,
        lambda f: services.record_cda_sent(study_site=site, by=request.user, **f.cleaned_data),
        title=gettext("Confidentiality agreement sent · site %(site_number)s")
        % {"site_number": site.site_number},
        cancel_url=_tab(site.study),
        done=lambda a: _tab(site.study),
        saved=gettext("Confidentiality agreement recorded as sent."),
        study=site.study,
    )


@login_required
def agreement_executed(request, feasibility_agreement_id):
    agreement = get_object_or_404(
        selectors.agreements_for(request.user).select_related("study"), pk=feasibility_agreement_id
    )
    require(can_manage_feasibility(request.user, agreement.study_id), ONLY_CRM)
    form = AgreementExecutedForm(
        post_data(request),
        initial={"executed_on": agreement.study_site.local_today(), "version": agreement.version},
    )
    return form_page(
        request,
        form,
        lambda f: services.record_cda_executed(
            agreement=agreement,
            by=request.user,
            executed_on=f.cleaned_data["executed_on"],
            document_url=f.cleaned_data["document_url"],
            expected_version=f.cleaned_data["version"],
        ),
        title=gettext("Confidentiality agreement executed · site %(site_number)s")
        % {"site_number": agreement.study_site.site_number},
        cancel_url=_tab(agreement.study),
        done=lambda a: _tab(agreement.study),
        saved=gettext("Confidentiality agreement executed: the site may now get its questionnaire."),
        study=agreement.study,
    )


@login_required
def questionnaire_send(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_feasibility(request.user, study.pk), ONLY_CRM)
    sites = StudySite.objects.visible_to(request.user).filter(
        study=study, status__in=rules.CANDIDATE_STATUSES
    )
    form = SendQuestionnaireForm(
        post_data(request), templates=selectors.templates_for(request.user, study), sites=sites
    )
    return form_page(
        request,
        form,
        lambda f: services.send_questionnaire(by=request.user, **f.cleaned_data),
        title=gettext("Send a feasibility questionnaire · %(code)s") % {"code": study.code},
        cancel_url=_tab(study),
        done=lambda q: _tab(study),
        saved=gettext("Questionnaire sent: the site's staff answer it in Trialdesk."),
        study=study,
    )


@login_required
def questionnaire_answer(request, feasibility_questionnaire_id):
    """The site-facing page: the site's staff answer, save and submit; the CRM reads the answers and
    scores. Another site's questionnaire answers 404."""
    questionnaire = get_object_or_404(
        selectors.questionnaires_for(request.user), pk=feasibility_questionnaire_id
    )
    may_answer = can_answer_questionnaire(request.user, questionnaire) and questionnaire.status == rules.SENT
    if request.method == "POST":
        require(can_answer_questionnaire(request.user, questionnaire), ONLY_SITE_STAFF)
    answered = selectors.answered_questions(questionnaire)
    questions = [a.question for a in answered]
    form = answer_form(
        questions, {a.question.key: a.value for a in answered}, post_data(request), disabled=not may_answer
    )
    if request.method == "POST":
        submitting = "submit" in request.POST
        saved = submit(
            form,
            lambda f: services.save_answers(
                questionnaire=questionnaire, by=request.user, answers=f.cleaned_data, submit=submitting
            ),
        )
        if saved is not None:
            messages.success(
                request, _("Answers submitted to the sponsor.") if submitting else _("Answers saved.")
            )
            return redirect("feasibility_questionnaire", feasibility_questionnaire_id=questionnaire.pk)
    context = {
        "questionnaire": questionnaire,
        "study": questionnaire.study,
        "form": form,
        "answered": answered,
        "may_answer": may_answer,
        "may_manage": can_manage_feasibility(request.user, questionnaire.study_id),
        "score": selectors.scores_of([questionnaire])[questionnaire.pk]
        if questionnaire.status == rules.SUBMITTED
        else None,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "feasibility/questionnaire.html", context)


@login_required
def questionnaire_reopen(request, feasibility_questionnaire_id):
    questionnaire = get_object_or_404(
        selectors.questionnaires_for(request.user), pk=feasibility_questionnaire_id
    )
    require(can_manage_feasibility(request.user, questionnaire.study_id), ONLY_CRM)
    return form_page(
        request,
        ReopenForm(post_data(request)),
        lambda f: services.reopen_questionnaire(
            questionnaire=questionnaire, by=request.user, **f.cleaned_data
        ),
        title=gettext("Hand the questionnaire back to site %(site_number)s")
        % {"site_number": questionnaire.study_site.site_number},
        cancel_url=reverse(
            "feasibility_questionnaire", kwargs={"feasibility_questionnaire_id": questionnaire.pk}
        ),
        done=lambda q: _tab(questionnaire.study),
        saved=gettext("Questionnaire handed back to the site."),
        study=questionnaire.study,
    )


@login_required
def selection_decision(request, study_site_id):
    site = _visible_site(request, study_site_id)
    require(can_manage_feasibility(request.user, site.study_id), ONLY_CRM)

    def save(f):
        return services.decide_selection(
            study_site=site,
            by=request.user,
            outcome=f.cleaned_data["outcome"],
            rationale=f.cleaned_data["rationale"],
            decided_on=f.cleaned_data["decided_on"],
        )

    return form_page(
        request,
        DecisionForm(post_data(request)),
        save,
        title=gettext("Selection decision · site %(site_number)s (%(institution)s)")
        % {"site_number": site.site_number, "institution": site.institution},
        cancel_url=_tab(site.study),
        done=lambda d: _tab(site.study),
        saved=gettext("Decision recorded; the site's status moved with it."),
        study=site.study,
    )


@login_required
@require_safe
def ranking_export(request, study_id):
    """The ranked list of candidate sites as an Excel workbook (what the reader may see)."""
    study = visible_study(request, study_id)
    rows = selectors.ranking(request.user, study, today=timezone.now().date())
    response = HttpResponse(
        exports.ranking_workbook(rows, title=gettext("%(code)s feasibility ranking") % {"code": study.code}),
        content_type=XLSX,
    )
    response["Content-Disposition"] = f'attachment; filename="{study.code}-feasibility-ranking.xlsx"'
    return response
