"""The supply pages' forms. They render and check shapes; the services decide (their ValidationErrors
land on the field they name)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trialdesk.core.forms import DateInput, reason_field
from trialdesk.supply.rules import TEMPERATURE_LOG_LIMIT

TEMPERATURE = {"max_digits": 5, "decimal_places": 1, "min_value": -100, "max_value": 100}


def numbers(text: str) -> list[str]:
    """Kit numbers typed one a line or separated by commas or spaces."""
    return [n for n in text.replace(",", " ").split() if n]


class ProductForm(forms.Form):
    code = forms.CharField(max_length=20)
    name = forms.CharField(max_length=200)
    storage_min_c = forms.DecimalField(label="Storage from (°C)", **TEMPERATURE)
    storage_max_c = forms.DecimalField(label="Storage to (°C)", **TEMPERATURE)


class KitTypeForm(forms.Form):
    product = forms.ModelChoiceField(queryset=None)
    code = forms.CharField(max_length=20)
    name = forms.CharField(max_length=200)
    units_per_kit = forms.IntegerField(min_value=1, max_value=10_000, initial=1)
    arm = forms.ModelChoiceField(queryset=None, required=False, help_text="Shown only to unblinded readers.")

    def __init__(self, data, *, products, arms):
        super().__init__(data)
        self.fields["product"].queryset = products
        self.fields["arm"].queryset = arms


class LotForm(forms.Form):
    product = forms.ModelChoiceField(queryset=None)
    number = forms.CharField(label="Lot number", max_length=40)
    expires_on = forms.DateField(label="Expiry date", widget=DateInput)
    storage_min_c = forms.DecimalField(label="Storage from (°C)", required=False, **TEMPERATURE)
    storage_max_c = forms.DecimalField(label="Storage to (°C)", required=False, **TEMPERATURE)

    def __init__(self, data, *, products):
        super().__init__(data)
        self.fields["product"].queryset = products


class DepotForm(forms.Form):
    name = forms.CharField(max_length=200)
    country = forms.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. DE.")


class KitsForm(forms.Form):
    depot = forms.ModelChoiceField(queryset=None)
    lot = forms.ModelChoiceField(queryset=None)
    kit_type = forms.ModelChoiceField(queryset=None)
    numbers = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="One kit number a line.")

    def __init__(self, data, *, depots, lots, kit_types):
        super().__init__(data)
        self.fields["depot"].queryset = depots
        self.fields["lot"].queryset = lots
        self.fields["kit_type"].queryset = kit_types


class ShipmentForm(forms.Form):
    depot = forms.ModelChoiceField(queryset=None)
    study_site = forms.ModelChoiceField(label="Site", queryset=None)
    kits = forms.CharField(help_text="Kits of each kit type, e.g. 'KT-A=10, KT-B=10'.")
    shipped_on = forms.DateField(widget=DateInput)
    courier = forms.CharField(max_length=100, required=False)
    tracking_number = forms.CharField(max_length=100, required=False)

    def __init__(self, data, *, depots, sites):
        super().__init__(data)
        self.fields["depot"].queryset = depots
        self.fields["study_site"].queryset = sites

    def clean_kits(self) -> dict[str, int]:
        counts = {}
        for part in self.cleaned_data["kits"].split(","):
            code, _, count = part.partition("=")
            if not code.strip() or not count.strip().isdigit():
                raise forms.ValidationError(gettext("Write each kit type as CODE=number, e.g. KT-A=10."))
            counts[code.strip()] = int(count)
        return counts


class ResupplyPlanForm(forms.Form):
    """The study's default lead time and review period (the service checks their ranges)."""

    lead_time_days = forms.IntegerField(
        label=_("Lead time (days)"), help_text=_("Depot to site, unless a shipping lane differs.")
    )
    review_period_days = forms.IntegerField(
        label=_("Review period (days)"), help_text=_("Days between two resupply decisions.")
    )
    reason = reason_field(required=False)


class ShippingLaneForm(forms.Form):
    """One depot → site lead time, created or changed."""

    depot = forms.ModelChoiceField(label=_("Depot"), queryset=None)
    study_site = forms.ModelChoiceField(label=_("Site"), queryset=None)
    lead_time_days = forms.IntegerField(label=_("Lead time (days)"))
    reason = reason_field(required=False)

    def __init__(self, data, *, depots, sites):
        super().__init__(data)
        self.fields["depot"].queryset = depots
        self.fields["study_site"].queryset = sites


class VisitDispensingForm(forms.Form):
    visit_definition = forms.ModelChoiceField(label="Visit", queryset=None)
    kits = forms.IntegerField(min_value=0, max_value=100, help_text="0 removes the visit from dispensing.")

    def __init__(self, data, *, definitions):
        super().__init__(data)
        self.fields["visit_definition"].queryset = definitions


class ReceiptForm(forms.Form):
    received_on = forms.DateField(widget=DateInput)
    kits_received = forms.IntegerField(min_value=0)
    missing_kit_numbers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="The kits that did not arrive."
    )
    temperature_log = forms.FileField(required=False, help_text="The data logger's CSV (last column: °C).")

    def clean_temperature_log(self):
        upload = self.cleaned_data.get("temperature_log")
        if upload is None:
            return None
        if upload.size > TEMPERATURE_LOG_LIMIT:
            raise forms.ValidationError(
                gettext("The temperature log is larger than %(temperature_log_limit)s bytes.")
                % {"temperature_log_limit": format(TEMPERATURE_LOG_LIMIT, ",")}
            )
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(gettext("The temperature log is not UTF-8 text (CSV).")) from None


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("released", "Release the kits"), ("destroyed", "Destroy the kits")]
    )
    decided_on = forms.DateField(widget=DateInput)
    method = forms.CharField(max_length=200, required=False, help_text="How they are destroyed.")
    reason = reason_field()


class ExcursionForm(forms.Form):
    detected_on = forms.DateField(widget=DateInput)
    temperature_min_c = forms.DecimalField(label="Lowest (°C)", **TEMPERATURE)
    temperature_max_c = forms.DecimalField(label="Highest (°C)", **TEMPERATURE)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    kit_numbers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Empty: every available kit."
    )


class DestructionForm(forms.Form):
    kit_numbers = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    destroyed_on = forms.DateField(widget=DateInput)
    method = forms.CharField(max_length=200)
    witness = forms.CharField(max_length=200, required=False)
    reason = reason_field()


class DispenseForm(forms.Form):
    dispensed_on = forms.DateField(widget=DateInput)
    kit_number = forms.CharField(
        max_length=30, required=False, help_text="Scan to check a kit; empty: the system allocates one."
    )


class ReturnForm(forms.Form):
    returned_on = forms.DateField(widget=DateInput)
    units_returned = forms.IntegerField(min_value=0)
    units_expected_taken = forms.IntegerField(min_value=0, required=False)
