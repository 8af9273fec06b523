"""The study's Health page: every dimension with its reasons and links, and the thresholds the study is
judged by, which its CRM may change (with a reason, audited)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from trialdesk.core import extensions, health
from trialdesk.core.forms import submit
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.views import post_data
from trialdesk.studies import services, thresholds
from trialdesk.studies.pages import visible_study


class ThresholdsForm(forms.Form):
    """One number per registered threshold (blank: the default), and the reason for the change."""

    def __init__(self, data=None, *, study):
        super().__init__(data)
        for row in thresholds.rows_of(study):
            self.fields[row["key"]] = forms.FloatField(
                label=row["label"],
                required=False,
                min_value=row["minimum"],
                max_value=row["maximum"],
                initial=None if row["is_default"] else row["value"],
                help_text=f"{row['unit']}; default {row['default']:g}. Leave blank for the default.",
            )
        self.fields["reason"] = forms.CharField(
            label="Reason for change", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
        )

    def values(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "reason"}


@login_required
def study_health(request, study_id):
    study = visible_study(request, study_id)
    may_manage = can_manage_study(request.user, study.pk)
    if request.method == "POST":
        require(may_manage)  # only the study's CRM changes its thresholds: 403 for everyone else
    form = ThresholdsForm(post_data(request), study=study) if may_manage else None
    if request.method == "POST" and form is not None:
        saved = submit(
            form,
            lambda f: (
                services.set_health_thresholds(
                    study=study, values=f.values(), by=request.user, reason=f.cleaned_data["reason"]
                )
                or True
            ),
        )
        if saved:
            messages.success(request, "Health thresholds saved.")
            return redirect(reverse("study_health", kwargs={"study_id": study.pk}))
    dimensions = health.study_health(request.user, study)
    context = {
        "study": study,
        "title": f"Health of {study.code}",
        "health_dimensions": dimensions,
        "overall": health.overall_colour(dimensions),
        "overall_word": health.COLOUR_WORDS[health.overall_colour(dimensions)],
        "thresholds": thresholds.rows_of(study),
        "form": form,
        "has_thresholds": len(extensions.health_thresholds) > 0,
    }
    return TemplateResponse(request, "studies/health.html", context)
