"""Forms of the monitoring plan (a new version each time, with its tier rules) and a site's set-up."""

from django import forms
from django.utils.translation import gettext

from trialdesk.core.forms import DateInput, RegulatedRecordForm, reason_field
from trialdesk.monitoring.forms.fields import PersonChoiceField
from trialdesk.monitoring.models import MonitoringPlan, SiteMonitoring, Tier, TierModality, TierRule
from trialdesk.monitoring.selectors.people import monitors_of
from trialdesk.monitoring.services.plans import (
    CRA_SETUP_FIELDS,
    DEFAULT_TIERS,
    PLAN_FIELDS,
    SETUP_FIELDS,
    TIER_FIELDS,
)


class PlanForm(forms.ModelForm):
    """A new plan version: the plan's values and, per tier, its visit interval, modality and targets.
    Filled with the version in force; a version after the first needs a reason."""

    class Meta:
        model = MonitoringPlan
        fields = PLAN_FIELDS
        widgets = {"effective_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, current: MonitoringPlan | None = None, **kwargs):
        if current is not None:
            kwargs.setdefault("initial", {name: getattr(current, name) for name in PLAN_FIELDS})
        super().__init__(*args, **kwargs)
        rules = {rule.tier: rule for rule in current.tier_rules.all()} if current else {}
        for tier, label in Tier.choices:
            for name in TIER_FIELDS:
                model_field = TierRule._meta.get_field(name)
                field = model_field.formfield()
                if name == "modality":
                    field = forms.ChoiceField(choices=TierModality.choices)
                field.label = gettext("%(tier)s risk: %(what)s") % {
                    "tier": gettext(label),
                    "what": gettext(model_field.verbose_name),
                }
                field.initial = getattr(rules[tier], name) if tier in rules else DEFAULT_TIERS[tier][name]
                self.fields[f"{tier}_{name}"] = field
        if current is not None:
            self.fields["reason"] = reason_field()

    def plan_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in PLAN_FIELDS}

    def tier_values(self) -> dict[str, dict]:
        return {
            tier: {name: self.cleaned_data[f"{tier}_{name}"] for name in TIER_FIELDS} for tier in Tier.values
        }

    def reason_given(self) -> str:
        return self.cleaned_data.get("reason", "")

    def tier_rows(self):
        """(tier label, its bound fields) for the template's table."""
        return [(label, [self[f"{tier}_{name}"] for name in TIER_FIELDS]) for tier, label in Tier.choices]

    def plan_fields(self):
        return [self[name] for name in PLAN_FIELDS]


class SiteSetupForm(RegulatedRecordForm):
    cra = PersonChoiceField(queryset=None, required=False, label="CRA")
    backup_cra = PersonChoiceField(queryset=None, required=False, label="Backup CRA")

    class Meta:
        model = SiteMonitoring
        fields = SETUP_FIELDS

    def __init__(self, *args, study_site, may_assign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("cra", "backup_cra"):
            self.fields[name].queryset = monitors_of(study_site)
        if not may_assign:
            for name in set(SETUP_FIELDS) - set(CRA_SETUP_FIELDS):
                del self.fields[name]
        if not self.is_edit:
            self.fields["reason"] = reason_field(required=False)

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in SETUP_FIELDS if name in self.cleaned_data}
