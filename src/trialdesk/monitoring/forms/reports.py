"""Forms of a visit report: its answers and summary, the signatures (submission, review), findings,
the deviation a finding shows, and the participants source-verified."""

from django import forms
from django.utils.translation import gettext

from trialdesk.core.forms import DateInput, RegulatedRecordForm
from trialdesk.monitoring.forms.fields import textarea
from trialdesk.monitoring.models import Finding, ReviewKind
from trialdesk.monitoring.rules import reports as rules

ANSWER_CHOICES = [("", "—"), ("yes", "Yes"), ("no", "No"), ("na", "Not applicable")]
PASSWORD_HELP = "Your electronic signature: re-enter your password."


class ReportForm(forms.Form):
    """One choice and one comment per question of the visit type's template, and the summary."""

    summary = forms.CharField(
        required=False, max_length=20_000, widget=textarea(4), label="Overall assessment"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, report, **kwargs):
        self.questions = rules.template(report.visit.visit_type)
        initial = {"summary": report.summary, "version": report.version}
        for question in self.questions:
            given = report.answers.get(question.key) or {}
            initial[f"q_{question.key}"] = given.get("answer", "")
            initial[f"c_{question.key}"] = given.get("comment", "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for question in self.questions:
            label = gettext(question.text)
            if not question.required:
                label = gettext("%(question)s (optional)") % {"question": label}
            self.fields[f"q_{question.key}"] = forms.ChoiceField(
                choices=ANSWER_CHOICES, required=False, label=label
            )
            self.fields[f"c_{question.key}"] = forms.CharField(
                required=False, max_length=5000, label="Comment", widget=textarea(1)
            )
        # Service errors name `answers.<question>`: shown on the question's choice.
        self.service_fields = {f"answers.{q.key}": f"q_{q.key}" for q in self.questions}

    def answers(self) -> dict:
        return {
            q.key: {"answer": self.cleaned_data[f"q_{q.key}"], "comment": self.cleaned_data[f"c_{q.key}"]}
            for q in self.questions
        }

    def sections(self):
        """[(section label, [(question, choice field, comment field)])] in the template's order."""
        found: dict[str, list] = {}
        for q in self.questions:
            found.setdefault(rules.section_label(q.section), []).append(
                (q, self[f"q_{q.key}"], self[f"c_{q.key}"])
            )
        return list(found.items())


class SubmitForm(forms.Form):
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=PASSWORD_HELP,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve and sign"), ("return", "Return to the CRA with comments")]
    )
    comments = forms.CharField(
        required=False, max_length=20_000, widget=textarea(3), help_text="Needed to return the report."
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Needed to approve: " + PASSWORD_HELP,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FindingForm(RegulatedRecordForm):
    free_text_fields = ("description",)

    class Meta:
        model = Finding
        fields = ("category", "severity", "description")
        widgets = {"description": textarea(3)}


class FindingDeviationForm(forms.Form):
    participant = forms.ChoiceField(required=False, help_text="Empty: a deviation of the site as a whole.")
    occurred_on = forms.DateField(label="Date occurred", widget=DateInput)
    important = forms.ChoiceField(
        choices=[("", "As the finding's severity says"), ("yes", "Important"), ("no", "Not important")],
        required=False,
    )
    description = forms.CharField(
        required=False, max_length=20_000, widget=textarea(2), help_text="Empty: the finding's."
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = {str(p.pk): p for p in participants}
        self.fields["participant"].choices = [
            ("", "— the site —"),
            *((k, p.number) for k, p in self.participants.items()),
        ]

    def values(self) -> dict:
        important = {"yes": True, "no": False}.get(self.cleaned_data["important"])
        return {
            "participant": self.participants.get(self.cleaned_data["participant"]),
            "occurred_on": self.cleaned_data["occurred_on"],
            "important": important,
            "description": self.cleaned_data["description"],
        }


class SourceReviewForm(forms.Form):
    participant = forms.ChoiceField()
    scheduled_visit = forms.ChoiceField(
        required=False, label="Visit", help_text="Empty: the participant's records as a whole."
    )
    kind = forms.ChoiceField(choices=ReviewKind.choices)
    critical_data = forms.BooleanField(
        required=False, label="Critical data verified (consent, eligibility, primary endpoint, SAEs)"
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, participants, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = {str(p.pk): p for p in participants}
        self.visits = {str(v.pk): v for v in visits}
        self.fields["participant"].choices = [
            ("", "— choose —"),
            *((k, p.number) for k, p in self.participants.items()),
        ]
        self.fields["scheduled_visit"].choices = [
            ("", "— all records —"),
            *(
                (k, f"{v.participant.number} {v.definition.code if v.definition_id else 'unscheduled'}")
                for k, v in self.visits.items()
            ),
        ]

    def values(self) -> dict:
        return {
            "participant": self.participants[self.cleaned_data["participant"]],
            "scheduled_visit": self.visits.get(self.cleaned_data["scheduled_visit"]),
            "kind": self.cleaned_data["kind"],
            "critical_data": self.cleaned_data["critical_data"],
            "note": self.cleaned_data["note"],
        }
