"""Forms of the finance pages. They only render and check fields; the pages call the services to save."""

from django import forms

from trialdesk.core.forms import DateInput, reason_field
from trialdesk.finance.models import BudgetCategory, FeeSchedule, VendorContract
from trialdesk.finance.rules import earnings, money


def _money(label, *, required=False, help_text=""):
    return forms.DecimalField(
        label=label, required=required, min_value=0, max_digits=18, decimal_places=4, help_text=help_text
    )


class CodedAmounts(forms.CharField):
    """'CODE = amount' lines as {code: amount text}; 'CODE = at cost' (where allowed) as {code: None}."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args, at_cost=False, **kwargs):
        self.at_cost = at_cost
        super().__init__(*args, required=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(
                f"{code} = {'at cost' if amount is None else amount}" for code, amount in value.items()
            )
        return value

    def clean(self, value):
        found = {}
        for number, line in enumerate((super().clean(value) or "").splitlines(), start=1):
            if not line.strip():
                continue
            code, _, amount = line.partition("=")
            code, amount = code.strip(), amount.strip()
            if not code or not amount:
                raise forms.ValidationError(f"Line {number}: write CODE = amount, e.g. V1 = 1200.")
            if self.at_cost and amount.lower() == "at cost":
                found[code] = None
                continue
            try:
                found[code] = f"{money.parse_amount(amount):f}"
            except ValueError as error:
                raise forms.ValidationError(f"Line {number} ({code}): {error}") from None
        return found


class FeeScheduleForm(forms.ModelForm):
    visit_fees = CodedAmounts(label="Visit fees", help_text="One visit a line: code = fee before overhead.")
    procedure_fees = CodedAmounts(label="Procedure fees", help_text="e.g. MRI = 800")
    invoiceable = CodedAmounts(
        label="Invoiceable items",
        at_cost=True,
        help_text="Paid on invoice, e.g. ETHICS = 1500, COURIER = at cost",
    )

    class Meta:
        model = FeeSchedule
        fields = (
            "effective_on", "currency", "overhead_percent", "holdback_percent", "payment_terms_days",
            "startup_fee", "closeout_fee", "screen_failure_fee", "screen_failure_max_paid", "visit_fees",
            "procedure_fees", "invoiceable", "note",
        )  # fmt: skip
        widgets = {"effective_on": DateInput, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version
            )
            self.fields["reason"] = reason_field()

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}


class BudgetVersionForm(forms.Form):
    currency = forms.CharField(max_length=3, required=False, help_text="ISO 4217; the first version sets it.")
    effective_on = forms.DateField(widget=DateInput, required=False)
    protocol_version = forms.ModelChoiceField(
        queryset=None, required=False, help_text="The amendment that brought it."
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required after the first.",
    )

    def __init__(self, *args, protocol_versions, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol_version"].queryset = protocol_versions
        for category in BudgetCategory:
            initial = current.amount_of(category.value) if current else None
            self.fields[category.value] = _money(category.label, required=False)
            self.fields[category.value].initial = initial

    def amounts(self) -> dict:
        return {
            c.value: self.cleaned_data[c.value]
            for c in BudgetCategory
            if self.cleaned_data.get(c.value) is not None
        }


class SiteInvoiceForm(forms.Form):
    number = forms.CharField(label="Invoice number", max_length=40)
    item_code = forms.CharField(
        label="Item", max_length=40, help_text="The invoiceable item's code in the fee schedule."
    )
    description = forms.CharField(max_length=200, required=False)
    invoice_on = forms.DateField(label="Invoice date", widget=DateInput)
    amount = forms.DecimalField(max_digits=18, decimal_places=4)
    study_site = forms.ModelChoiceField(queryset=None, label="Site")

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_site"].queryset = sites


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approved", "Approve"), ("disputed", "Dispute")])
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Required to dispute."
    )


class ApprovalForm(forms.Form):
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput, help_text="Re-enter your password to sign the approval."
    )


class PaidForm(forms.Form):
    paid_on = forms.DateField(label="Paid on", widget=DateInput)
    payment_reference = forms.CharField(max_length=100)


class ExchangeRateForm(forms.Form):
    base = forms.CharField(max_length=3, initial="EUR")
    quote = forms.CharField(max_length=3)
    on = forms.DateField(label="Rate date", widget=DateInput)
    rate = forms.DecimalField(max_digits=24, decimal_places=10, help_text="1 base = rate × quote")
    source = forms.CharField(max_length=200, required=False)


class RateImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV or .xlsx: Date, Base, Quote, Rate — or the ECB's Date, USD, JPY, … layout."
    )
    base = forms.CharField(max_length=3, initial="EUR", help_text="Base currency of the ECB layout.")


class ContractForm(forms.ModelForm):
    class Meta:
        model = VendorContract
        fields = ("vendor", "service", "reference", "scope", "currency", "value", "start_on", "end_on")
        widgets = {"start_on": DateInput, "end_on": DateInput, "scope": forms.Textarea(attrs={"rows": 3})}


class MilestoneForm(forms.Form):
    name = forms.CharField(max_length=200)
    deliverable = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(widget=DateInput)
    amount = forms.DecimalField(max_digits=18, decimal_places=4)


class ChangeOrderForm(forms.Form):
    number = forms.CharField(max_length=20)
    amount = forms.DecimalField(max_digits=18, decimal_places=4, help_text="Negative for a reduction.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    approved_on = forms.DateField(widget=DateInput)


class IndicatorForm(forms.Form):
    name = forms.CharField(max_length=200)
    unit = forms.CharField(max_length=40, required=False)
    target = forms.DecimalField(max_digits=12, decimal_places=2)
    actual = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    higher_is_better = forms.BooleanField(required=False, initial=True)


class VendorInvoiceForm(forms.Form):
    number = forms.CharField(max_length=40)
    invoice_on = forms.DateField(label="Invoice date", widget=DateInput)
    amount = forms.DecimalField(max_digits=18, decimal_places=4)
    milestone = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones


class ProcedureForm(forms.Form):
    participant = forms.ModelChoiceField(queryset=None)
    code = forms.CharField(max_length=40, help_text="The procedure's code in the fee schedule, e.g. MRI.")
    done_on = forms.DateField(label="Date done", widget=DateInput)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants


class PayableFilterForm(forms.Form):
    site = forms.ModelChoiceField(queryset=None, required=False, empty_label="All sites")
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *earnings.KIND_LABELS.items()])
    state = forms.ChoiceField(
        required=False,
        choices=[
            ("", "All"),
            ("unpaid", "Unpaid"),
            ("overdue", "Overdue"),
            ("in_run", "In a run"),
            ("paid", "Paid"),
        ],
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
