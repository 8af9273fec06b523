"""Pages of the registry work: the study's "Registry" tab and the form for its FDAAA 801 facts."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.forms import DateInput, reason_field
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.views import form_page, post_data
from trialdesk.integrations.models import RegistryRecord
from trialdesk.integrations.registry import selectors
from trialdesk.integrations.registry.services import REGISTRY_FACT_FIELDS, record_registry_facts
from trialdesk.studies.pages import visible_study

APPLICABILITY_CHOICES = (("", "Read from the registry record"), ("yes", "Yes"), ("no", "No"))
UNKNOWN_YES_NO = (("", "Unknown"), ("yes", "Yes"), ("no", "No"))
YES_NO = {True: "yes", False: "no"}


class RegistryFactsForm(forms.Form):
    """What the CRM records about the study's registry duties."""

    applicable_clinical_trial = forms.ChoiceField(
        label="Applicable clinical trial (FDAAA 801)", choices=APPLICABILITY_CHOICES, required=False
    )
    delay_certified_on = forms.DateField(
        label="Certification to delay results submitted on", required=False, widget=DateInput
    )
    eu_end_of_trial_on = forms.DateField(
        label="End of trial in the EU",
        required=False,
        widget=DateInput,
        help_text="Leave empty to use the registry's actual completion date.",
    )
    eu_results_submitted_on = forms.DateField(
        label="EU summary of results submitted on", required=False, widget=DateInput
    )
    under_ind_ide = forms.ChoiceField(
        label="Conducted under a US IND or IDE", choices=UNKNOWN_YES_NO, required=False
    )
    ind_ide_number = forms.CharField(label="IND / IDE number", max_length=20, required=False)
    us_product_exported = forms.ChoiceField(
        label="A product made in the United States is exported for the study",
        choices=UNKNOWN_YES_NO,
        required=False,
        help_text="Unknown: read from the registry record (isUsExport) where it says.",
    )
    paediatric = forms.ChoiceField(
        label="Paediatric trial (EU results within six months)",
        choices=UNKNOWN_YES_NO,
        required=False,
        help_text="Unknown: read from the registry's age groups (CHILD) where it gives them.",
    )
    delay_certification = forms.ChoiceField(
        label="The certification to delay results seeks",
        choices=RegistryRecord._meta.get_field("delay_certification").choices,
        required=False,
    )
    product_approved_on = forms.DateField(
        label="Product (or new use) approved, licensed or cleared by the FDA on",
        required=False,
        widget=DateInput,
    )
    reason = reason_field()

    def changes(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.fields if name != "reason"}
        for name in ("applicable_clinical_trial", "under_ind_ide", "us_product_exported", "paediatric"):
            values[name] = {"yes": True, "no": False}.get(values[name])
        return values


def registry_tab(request, study) -> dict:
    """The registry check of the study (differences and deadlines), or the hint to import its record."""
    return {
        "registry_check": selectors.check_study(study, user=request.user),
        "registry_nct": study.nct_number,
    }


@login_required
def registry_facts(request, study_id):
    study = visible_study(request, study_id)
    require(
        can_manage_study(request.user, study.pk),
        "Only the study's CRM or an administrator records these facts.",
    )
    record = RegistryRecord.objects.filter(study=study).first()
    initial = {}
    if record:
        initial = {name: getattr(record, name) for name in REGISTRY_FACT_FIELDS}
        for name in ("applicable_clinical_trial", "under_ind_ide", "us_product_exported", "paediatric"):
            initial[name] = YES_NO.get(initial[name], "")
    form = RegistryFactsForm(post_data(request), initial=initial)
    tab = f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=registry"
    return form_page(
        request,
        form,
        lambda f: record_registry_facts(
            study=study, changes=f.changes(), by=request.user, reason=f.cleaned_data["reason"]
        ),
        title=gettext("Registry facts of %(code)s") % {"code": study.code},
        cancel_url=tab,
        done=lambda _record: tab,
        saved=gettext("Registry facts recorded."),
        study=study,
    )
