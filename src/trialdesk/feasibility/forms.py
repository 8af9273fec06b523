"""Forms of the feasibility pages. They render and check shapes only; the services decide (a weight
below 0, a questionnaire before an executed agreement, a decision without rationale land on the field
the service names)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from trialdesk.core.forms import DateInput, reason_field
from trialdesk.feasibility import rules
from trialdesk.feasibility.models import QuestionKind, SelectionOutcome


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=200, initial="Site feasibility")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    with_default_questions = forms.BooleanField(
        required=False, initial=True, label="Start from the usual feasibility questions"
    )


class QuestionForm(forms.Form):
    key = forms.SlugField(
        max_length=60, help_text="A short name for exports, e.g. eligible_patients_per_year."
    )
    text = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 2}))
    topic = forms.ChoiceField(choices=list(rules.TOPIC_LABELS.items()))
    kind = forms.ChoiceField(choices=QuestionKind.choices)
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Choice questions: one answer per line, the best first.",
    )
    target = forms.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text="Number questions: the answer scoring full marks.",
    )
    lower_is_better = forms.BooleanField(
        required=False, help_text="Numbers: fewer scores higher (competing studies). Yes/no: 'no' scores."
    )
    # No min_value: a weight below 0 gets the service's message.
    weight = forms.DecimalField(
        max_digits=6, decimal_places=2, initial=1, help_text="0 to 100; 0: not scored."
    )
    required = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, edit_version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if edit_version is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=edit_version)
            self.fields["reason"] = reason_field()

    def values(self) -> dict:
        values = {
            name: self.cleaned_data[name]
            for name in ("key", "text", "topic", "kind", "target", "lower_is_better", "weight", "required")
        }
        values["choices"] = [
            line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()
        ]
        return values


class AgreementSentForm(forms.Form):
    sent_on = forms.DateField(widget=DateInput)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AgreementExecutedForm(forms.Form):
    # Not required here: the service names what an executed agreement lacks.
    executed_on = forms.DateField(required=False, widget=DateInput)
    document_url = forms.CharField(
        label="Executed document (link)",
        required=False,
        max_length=500,
        help_text="Where the signed agreement is filed, e.g. the eTMF document's address.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SendQuestionnaireForm(forms.Form):
    template = forms.ModelChoiceField(queryset=None)
    study_site = forms.ModelChoiceField(queryset=None, label="Candidate site")
    due_on = forms.DateField(required=False, widget=DateInput, label="Answers due")

    def __init__(self, *args, templates, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["study_site"].queryset = sites


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=SelectionOutcome.choices, widget=forms.RadioSelect)
    # Not required here: the service refuses a decision without rationale, naming the field.
    rationale = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decided_on = forms.DateField(required=False, widget=DateInput, help_text="Defaults to the site's today.")


class ReopenForm(forms.Form):
    reason = reason_field()


def answer_form(questions, values: dict[str, str], data=None, *, disabled: bool = False) -> forms.Form:
    """The site's answer form: one field per question, named by its key. Every field may be left blank
    here; saving checks each answer against its question, submitting that the required ones are there."""
    form = forms.Form(data, initial=values)
    for q in questions:
        label = q.text
        if q.kind == rules.YES_NO:
            field = forms.ChoiceField(
                choices=[("", _("Not answered")), (rules.YES, _("Yes")), (rules.NO, _("No"))], required=False
            )
        elif q.kind == rules.CHOICE:
            field = forms.ChoiceField(
                choices=[("", _("Not answered"))] + [(c, c) for c in q.choices], required=False
            )
        elif q.kind == rules.NUMBER:
            field = forms.CharField(
                required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
            )
        else:
            field = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
        field.label = label
        field.disabled = disabled
        if q.required:
            field.help_text = _("Required before submitting.")
        form.fields[q.key] = field
    return form
