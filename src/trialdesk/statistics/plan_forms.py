"""Forms of the recruitment plan page (a version's lines, or a CSV/Excel template) and of the what-if
forecast on the Forecast tab."""

from django import forms

from trialdesk.statistics import forecasts, scenarios

BLANK_LINES = 6
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class PlanLineForm(forms.Form):
    """One line of the plan; a line left wholly empty is not part of it."""

    month = forms.CharField(
        required=False, max_length=7, widget=forms.TextInput(attrs={"placeholder": "YYYY-MM"})
    )
    country = forms.CharField(required=False, max_length=2)
    site = forms.ChoiceField(required=False)
    planned_activations = forms.IntegerField(required=False, min_value=0, max_value=100_000)
    planned_enrollment = forms.IntegerField(required=False, min_value=0, max_value=100_000)

    def __init__(self, *args, site_numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "— country line —"), *((n, f"Site {n}") for n in site_numbers)]

    def line(self) -> dict | None:
        values = self.cleaned_data
        if not any(values.get(name) not in (None, "") for name in self.fields):
            return None
        return {name: values.get(name) for name in self.fields}


PlanLineFormSet = forms.formset_factory(PlanLineForm, extra=0, max_num=2000, absolute_max=2000)


class PlanVersionForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this version of the plan is made (kept with it and on the audit trail).",
    )
    file = forms.FileField(
        required=False,
        help_text="Or a CSV or Excel file with columns month, country, site, planned_activations, "
        "planned_enrollment: it replaces the lines above.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        return upload


class WhatIfForm(forms.Form):
    """The what-if options of the Forecast tab (a GET form: it computes, it stores nothing)."""

    whatif = forms.CharField(widget=forms.HiddenInput, required=False, initial="1")
    add_count_1 = forms.IntegerField(required=False, min_value=1, max_value=500, label="Add sites")
    add_on_1 = forms.DateField(
        required=False, label="activating on", widget=forms.DateInput(attrs={"type": "date"})
    )
    add_count_2 = forms.IntegerField(required=False, min_value=1, max_value=500, label="Add sites")
    add_on_2 = forms.DateField(
        required=False, label="activating on", widget=forms.DateInput(attrs={"type": "date"})
    )
    close_site = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Close sites now"
    )
    rate_change = forms.IntegerField(
        required=False,
        min_value=-95,
        max_value=500,
        label="Change every site's rate by (%)",
        help_text="e.g. 20 for a fifth faster, -30 for 30% slower.",
    )
    rate_per_month = forms.FloatField(
        required=False,
        min_value=0.001,
        max_value=10_000,
        label="Expected rate per site per month",
        help_text="Used instead of any other prior (for a study in start-up).",
    )
    target = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, label="Target")
    planned_end = forms.DateField(
        required=False, label="Planned last participant in", widget=forms.DateInput(attrs={"type": "date"})
    )
    activation = forms.ChoiceField(
        choices=[
            (forecasts.ACTIVATION_FORECAST, "forecast from start-up cycle times"),
            (forecasts.ACTIVATION_PLANNED, "planned activation dates"),
        ],
        initial=forecasts.ACTIVATION_FORECAST,
        required=False,
        label="Pending sites open on",
    )

    def __init__(self, *args, site_numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["close_site"].choices = [(n, f"Site {n}") for n in site_numbers]

    def clean(self):
        values = super().clean()
        for k in ("1", "2"):
            count, day = values.get(f"add_count_{k}"), values.get(f"add_on_{k}")
            if (
                bool(count) != bool(day)
                and f"add_count_{k}" not in self.errors
                and f"add_on_{k}" not in self.errors
            ):
                self.add_error(
                    f"add_on_{k}" if count else f"add_count_{k}",
                    "Give both the number of sites and the date.",
                )
        return values

    def what_if(self, *, sims: int) -> scenarios.WhatIf:
        values = self.cleaned_data
        added = tuple(
            scenarios.AddedSites(values[f"add_count_{k}"], values[f"add_on_{k}"])
            for k in ("1", "2")
            if values.get(f"add_count_{k}") and values.get(f"add_on_{k}")
        )
        change = values.get("rate_change")
        return scenarios.WhatIf(
            target=values.get("target"),
            planned_end=values.get("planned_end"),
            sims=sims,
            add_sites=added,
            close_site=tuple(values.get("close_site") or ()),
            rate_per_month=values.get("rate_per_month"),
            rate_factor=1.0 if change is None else 1 + change / 100,
            activation=values.get("activation") or forecasts.ACTIVATION_FORECAST,
        )


WHAT_IF_FIELD_OF = {
    "planned_end": "planned_end",
    "target": "target",
    "rate_per_month": "rate_per_month",
    "sims": None,
    "close_site.0": "close_site",
    "add_sites.0.activation_on": "add_on_1",
    "add_sites.1.activation_on": "add_on_2",
}
