"""Forms of the sample-size calculator: a design and its options, and saving the answer to a study."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trialdesk.analytics.sample_size import COMMON_OPTIONS, DESIGNS, Option
from trialdesk.core.forms import add_service_errors
from trialdesk.statistics import services

DEFAULT_DESIGN = "two-means"
DESIGN_CHOICES = [(name, design.label) for name, design in DESIGNS.items()]


def chosen_design(data) -> str:
    """The design asked for in `data` (a QueryDict or dict), or the default one."""
    name = (data or {}).get("design") or DEFAULT_DESIGN
    return name if name in DESIGNS else DEFAULT_DESIGN


def _field(option: Option) -> forms.Field:
    help_text = option.help
    if option.kind == "flag":
        return forms.BooleanField(label=option.label, required=False, help_text=help_text)
    if option.kind == "choice":
        choices = [(value, value) for value in option.choices]
        return forms.ChoiceField(
            label=option.label, choices=choices, initial=option.default, required=False, help_text=help_text
        )
    widget = forms.NumberInput(attrs={"step": "any"})
    return forms.FloatField(
        label=option.label, required=False, initial=option.default, help_text=help_text, widget=widget
    )


class SampleSizeForm(forms.Form):
    """A design and the options it takes; a valid form holds the calculation's result in ``result``.

    The fields change with the design: the design's own options first, then the common ones.
    """

    design = forms.ChoiceField(choices=DESIGN_CHOICES, initial=DEFAULT_DESIGN)

    def __init__(self, data=None, *args, design: str | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.design_name = design or chosen_design(data)
        self.fields["design"].initial = self.design_name
        spec = DESIGNS[self.design_name]
        self.design_fields = [option.name for option in spec.options]
        self.common_fields = [
            option.name for option in COMMON_OPTIONS if spec.two_groups or option.name != "ratio"
        ]
        options = {option.name: option for option in (*spec.options, *COMMON_OPTIONS)}
        for name in (*self.design_fields, *self.common_fields):
            self.fields[name] = _field(options[name])
        if not self.is_bound:
            self.initial.setdefault("power", 0.8)
        self.result = None

    def design_options(self):
        return [self[name] for name in self.design_fields]

    def common_options(self):
        return [self[name] for name in self.common_fields]

    def parameters(self) -> dict:
        """The options given, ready for the calculation (blank numbers and unticked boxes left out)."""
        values = {name: self.cleaned_data.get(name) for name in (*self.design_fields, *self.common_fields)}
        if values.get("sided"):
            values["sided"] = int(values["sided"])
        return services.given_parameters(values)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if (cleaned.get("power") is None) == (cleaned.get("n") is None):
            self.add_error("power", _("Give either a power (to solve for n) or n (to solve for power)."))
            return cleaned
        try:
            self.result = services.calculate_sample_size(
                design=self.design_name, parameters=self.parameters()
            )
        except forms.ValidationError as error:
            add_service_errors(self, error)
        return cleaned


class SaveAssumptionForm(forms.Form):
    """Save the calculation to a study as a planning assumption, with a label saying what it is for."""

    study = forms.ModelChoiceField(queryset=None, empty_label=gettext_lazy("Choose a study"))
    label = forms.CharField(max_length=200, help_text='What the assumption is for, e.g. "Primary endpoint".')
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, studies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if studies is None:
            del self.fields["study"]  # the study comes from the page's URL
        else:
            self.fields["study"].queryset = studies
            self.fields["study"].label_from_instance = lambda study: f"{study.code} — {study.title}"
