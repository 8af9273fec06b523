"""Feasibility and selection: questionnaire templates (questions as data, weighted by the CRM), the
confidentiality agreement each candidate site signs first, the questionnaires sent to candidate sites
and their answers, and the selection decision with its rationale."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.feasibility import rules


class TemplateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A study's templates to everyone on the study (its candidate sites' staff answer from them)."""
        return self.filter(scope_filter(user, study_path="study"))


class QuestionnaireTemplate(RegulatedRecord):
    """A study's feasibility questionnaire: a named, ordered set of weighted questions."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="feasibility_templates")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        ordering = ["study", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "name"],
                name="unique_feasibility_template_name",
                violation_error_message="This study already has a questionnaire template of that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    NUMBER = rules.NUMBER, "Number"
    YES_NO = rules.YES_NO, "Yes / no"
    CHOICE = rules.CHOICE, "Choice"
    TEXT = rules.TEXT, "Text"


class QuestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="template__study"))


class TemplateQuestion(RegulatedRecord):
    """One question of a template, how its answer scores (rules.answer_score) and its weight."""

    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.PROTECT, related_name="questions")
    key = models.SlugField(
        max_length=60, help_text="A short name for exports, e.g. eligible_patients_per_year."
    )
    text = models.CharField(max_length=400)
    topic = models.CharField(max_length=32, choices=list(rules.TOPIC_LABELS.items()), default="population")
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    choices = models.JSONField(
        default=list, blank=True, help_text="Choice questions: the answers offered, the best first."
    )
    target = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Number questions: the answer that scores full marks (scores rise linearly up to it).",
    )
    lower_is_better = models.BooleanField(
        default=False, help_text="Numbers: fewer scores higher (competing studies). Yes/no: 'no' scores."
    )
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, default=1, help_text="How much the question counts (0: not scored)."
    )
    required = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["template", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "key"],
                name="unique_feasibility_question_key",
                violation_error_message="This template already has a question with that key.",
            )
        ]

    def __str__(self) -> str:
        return self.text

    def audit_study_id(self) -> int:
        return self.template.study_id

    def facts(self) -> rules.QuestionFacts:
        return rules.QuestionFacts(
            kind=self.kind,
            weight=self.weight,
            choices=tuple(self.choices or ()),
            target=self.target,
            lower_is_better=self.lower_is_better,
            required=self.required,
        )

    def clean(self) -> None:
        problems = rules.question_problems(self.facts())
        if problems:
            raise ValidationError(problems)


class SiteScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The study's people see every candidate site's record; a site's staff only their own site's."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class CdaStatus(models.TextChoices):
    SENT = rules.CDA_SENT, "Sent"
    EXECUTED = rules.CDA_EXECUTED, "Executed"
    DECLINED = rules.CDA_DECLINED, "Declined"


class ConfidentialityAgreement(RegulatedRecord):
    """The confidentiality agreement (CDA) with a candidate site, required before its questionnaire."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.PROTECT, related_name="confidentiality_agreements"
    )
    study_site = models.OneToOneField(
        "sites.StudySite", on_delete=models.PROTECT, related_name="confidentiality_agreement"
    )
    status = models.CharField(max_length=16, choices=CdaStatus.choices, default=CdaStatus.SENT)
    sent_on = models.DateField("sent on")
    executed_on = models.DateField("executed on", null=True, blank=True)
    document_url = models.URLField(
        "executed document", max_length=500, blank=True, help_text="Where the signed agreement is filed."
    )
    notes = models.TextField(blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "study_site", "id"]

    def __str__(self) -> str:
        return f"CDA {self.study_site}: {self.get_status_display()}"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("The site is not a site of this study.")
        errors.update(
            rules.cda_problems(
                status=self.status,
                sent_on=self.sent_on,
                executed_on=self.executed_on,
                document_url=self.document_url,
            )
        )
        if errors:
            raise ValidationError(errors)


class QuestionnaireStatus(models.TextChoices):
    SENT = rules.SENT, "Sent"
    SUBMITTED = rules.SUBMITTED, "Submitted"


class Questionnaire(RegulatedRecord):
    """A template's questionnaire sent to one candidate site, answered there by its staff."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.PROTECT, related_name="feasibility_questionnaires"
    )
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="feasibility_questionnaires"
    )
    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.PROTECT, related_name="questionnaires"
    )
    status = models.CharField(
        max_length=16, choices=QuestionnaireStatus.choices, default=QuestionnaireStatus.SENT
    )
    sent_on = models.DateField("sent on")
    due_on = models.DateField("answers due", null=True, blank=True)
    submitted_at = models.DateTimeField("submitted at", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "study_site", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study_site", "template"],
                name="unique_feasibility_questionnaire_per_site",
                violation_error_message="This questionnaire was already sent to this site.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} for {self.study_site}"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("The site is not a site of this study.")
        if self.template_id and self.study_id and self.template.study_id != self.study_id:
            errors["template"] = gettext("The template is not one of this study's.")
        if self.due_on and self.sent_on and self.due_on < self.sent_on:
            errors["due_on"] = gettext("The answers cannot be due before the questionnaire is sent.")
        if errors:
            raise ValidationError(errors)


class AnswerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(
            scope_filter(user, study_path="questionnaire__study", site_path="questionnaire__study_site")
        )


class QuestionnaireAnswer(RegulatedRecord):
    """A site's answer to one question, kept as text in the question's canonical form (rules.parse_answer)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(TemplateQuestion, on_delete=models.PROTECT, related_name="answers")
    value = models.TextField(blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["questionnaire", "question__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "question"],
                name="unique_feasibility_answer",
                violation_error_message="This question is already answered; change the answer instead.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.value}"

    def audit_study_id(self) -> int:
        return self.questionnaire.study_id

    def audit_study_site_id(self) -> int:
        return self.questionnaire.study_site_id

    def clean(self) -> None:
        if (
            self.question_id
            and self.questionnaire_id
            and self.question.template_id != self.questionnaire.template_id
        ):
            raise ValidationError({"question": gettext("The question is not one of this questionnaire's.")})


class SelectionOutcome(models.TextChoices):
    SELECTED = rules.SELECTED, "Selected"
    NOT_SELECTED = rules.NOT_SELECTED, "Not selected"


class SelectionDecision(RegulatedRecord):
    """The CRM's decision to select a candidate site or not, with its rationale and the score it saw."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="selection_decisions")
    study_site = models.OneToOneField(
        "sites.StudySite", on_delete=models.PROTECT, related_name="selection_decision"
    )
    outcome = models.CharField(max_length=16, choices=SelectionOutcome.choices)
    rationale = models.TextField(help_text="Why the site is or is not selected.")
    decided_on = models.DateField("decided on")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(
        "score at decision (%)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveIntegerField("rank at decision", null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "study_site", "id"]

    def __str__(self) -> str:
        return f"{self.study_site}: {self.get_outcome_display()}"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("The site is not a site of this study.")
        if not (self.rationale or "").strip():
            errors["rationale"] = gettext("Give the rationale for the decision.")
        if errors:
            raise ValidationError(errors)
