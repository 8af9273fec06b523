"""The study's Health page: every dimension with its reasons and links, and the thresholds the study is
judged by, which its CRM may change (with a reason, audited)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from trialdesk.core import health
from trialdesk.core.forms import submit
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.views import post_data
from trialdesk.studies import services, thresholds
from trialdesk.studies.pages import visible_study


class ThresholdsForm(forms.Form):
    """One number per registered threshold (blank: the default), and the reason for the change."""

    def __init__(self, data=None, *, rows: list[dict]):
        super().__init__(data)
        for row in rows:
            self.fields[row["key"]] = forms.FloatField(
                label=gettext(row["label"]),
                required=False,
                min_value=row["minimum"],
                max_value=row["maximum"],
                initial=None if row["is_default"] else row["value"],
                help_text=gettext("%(unit)s; default %(default)s. Leave blank for the default.")
                % {"unit": gettext(row["unit"]), "default": f"{row['default']:g}"},
            )
        self.fields["reason"] = forms.CharField(
            label=gettext_lazy("Reason for change"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
        )

    def values(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "reason"}


@login_required
def study_health(request, study_id):
    study = visible_study(request, study_id)
    may_manage = can_manage_study(request.user, study.pk)
    if request.method == "POST":
        require(may_manage)  # only the study's CRM changes its thresholds: 403 for everyone else
    rows = thresholds.rows_of(study)
    form = ThresholdsForm(post_data(request), rows=rows) if may_manage else None
    if request.method == "POST" and form is not None:
        saved = submit(
            form,
            lambda f: services.set_health_thresholds(
                study=study, values=f.values(), by=request.user, reason=f.cleaned_data["reason"]
            ),
        )
        if saved is not None:
            messages.success(request, gettext("Health thresholds saved."))
            return redirect(reverse("study_health", kwargs={"study_id": study.pk}))
    dimensions = health.study_health(request.user, study)
    overall = health.overall_colour(dimensions)
    context = {
        "study": study,
        "title": gettext("Health of %(code)s") % {"code": study.code},
        "health_dimensions": dimensions,
        "overall": overall,
        "overall_word": gettext(health.COLOUR_WORDS[overall]),
        "thresholds": rows,
        "form": form,
    }
    return TemplateResponse(request, "studies/health.html", context)
