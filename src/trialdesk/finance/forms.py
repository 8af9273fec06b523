"""Forms of the finance pages. They only render and check fields; the pages call the services to save."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
            code, _equals, amount = line.partition("=")
            code, amount = code.strip(), amount.strip()
            if not code or not amount:
                raise forms.ValidationError(
                    _("Line %(number)s: write CODE = amount, e.g. V1 = 1200.") % {"number": number}
                )
            if self.at_cost and amount.lower() == "at cost":
                found[code] = None
                continue
            try:
                found[code] = f"{money.parse_amount(amount):f}"
            except ValueError as error:
                raise forms.ValidationError(
                    _("Line %(number)s (%(code)s): %(error)s")
                    % {"number": number, "code": code, "error": error}
                ) from None
        return found


class FeeScheduleForm(forms.ModelForm):
    visit_fees = CodedAmounts(
        label=_("Visit fees"), help_text=_("One visit a line: code = fee before overhead.")
    )
    procedure_fees = CodedAmounts(label=_("Procedure fees"), help_text=_("e.g. MRI = 800"))
    invoiceable = CodedAmounts(
        label=_("Invoiceable items"),
        at_cost=True,
        help_text=_("Paid on invoice, e.g. ETHICS = 1500, COURIER = at cost"),
    )

    class Meta:
        model = FeeSchedule
        fields = (
            "effective_on", "currency", "overhead_percent", "holdback_percent", "payment_terms_days",
            "startup_fee", "closeout_fee", "screen_failure_fee", "screen_failure_max_paid", "visit_fees",
            "procedure_fees", "invoiceable", "note",
        )  # fmt: skip
        widgets = {"effective_on": DateInput, "note": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "effective_on": _("Effective from"),
            "currency": _("Site currency"),
            "overhead_percent": _("Overhead %"),
            "holdback_percent": _("Holdback %"),
            "payment_terms_days": _("Payment terms (days)"),
            "startup_fee": _("Start-up fee"),
            "closeout_fee": _("Close-out fee"),
            "screen_failure_fee": _("Screen-failure fee"),
            "screen_failure_max_paid": _("Screen failures paid at most"),
            "note": _("Note"),
        }
        help_texts = {
            "currency": _("ISO 4217 code, e.g. EUR."),
            "holdback_percent": _("Withheld from visit, procedure and screen-failure lines."),
            "payment_terms_days": _("Days from earning (or invoice) to payment."),
            "screen_failure_max_paid": _("Empty: no cap."),
        }

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
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("ISO 4217; the first version sets it.")
    )
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput, required=False)
    protocol_version = forms.ModelChoiceField(
        label=_("Protocol version"),
        queryset=None,
        required=False,
        help_text=_("The amendment that brought it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required after the first."),
    )

    def __init__(self, *args, protocol_versions, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol_version"].queryset = protocol_versions
        for category in BudgetCategory:
            initial = current.amount_of(category.value) if current else None
            self.fields[category.value] = _money(_(category.label), required=False)
            self.fields[category.value].initial = initial

    def amounts(self) -> dict:
        return {
            c.value: self.cleaned_data[c.value]
            for c in BudgetCategory
            if self.cleaned_data.get(c.value) is not None
        }


class SiteInvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    item_code = forms.CharField(
        label=_("Item"), max_length=40, help_text=_("The invoiceable item's code in the fee schedule.")
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    invoice_on = forms.DateField(label=_("Invoice date"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=4)
    study_site = forms.ModelChoiceField(queryset=None, label=_("Site"))

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_site"].queryset = sites


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approved", _("Approve")), ("disputed", _("Dispute"))]
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to dispute."),
    )


class ApprovalForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("Re-enter your password to sign the approval."),
    )


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=100)


class ExchangeRateForm(forms.Form):
    base = forms.CharField(label=_("Base"), max_length=3, initial="EUR")
    quote = forms.CharField(label=_("Quote"), max_length=3)
    on = forms.DateField(label=_("Rate date"), widget=DateInput)
    rate = forms.DecimalField(
        label=_("Rate"), max_digits=24, decimal_places=10, help_text=_("1 base = rate × quote")
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class RateImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or .xlsx: Date, Base, Quote, Rate — or the ECB's Date, USD, JPY, … layout."),
    )
    base = forms.CharField(
        label=_("Base"), max_length=3, initial="EUR", help_text=_("Base currency of the ECB layout.")
    )


class ContractForm(forms.ModelForm):
    class Meta:
        model = VendorContract
        fields = ("vendor", "service", "reference", "scope", "currency", "value", "start_on", "end_on")
        widgets = {"start_on": DateInput, "end_on": DateInput, "scope": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "vendor": _("Vendor"),
            "service": _("Service"),
            "reference": _("Contract reference"),
            "scope": _("Scope"),
            "currency": _("Currency"),
            "value": _("Contract value"),
            "start_on": _("Start date"),
            "end_on": _("End date"),
        }
        help_texts = {"currency": _("ISO 4217 code, e.g. EUR.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        service.choices = [(value, _(label)) if value else (value, label) for value, label in service.choices]


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    deliverable = forms.CharField(
        label=_("Deliverable"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=4)


class ChangeOrderForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=20)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=4, help_text=_("Negative for a reduction.")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput)


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    target = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2)
    actual = forms.DecimalField(label=_("Actual"), max_digits=12, decimal_places=2, required=False)
    higher_is_better = forms.BooleanField(label=_("Higher is better"), required=False, initial=True)


class VendorInvoiceForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40)
    invoice_on = forms.DateField(label=_("Invoice date"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=4)
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=None, required=False)

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones


class ProcedureForm(forms.Form):
    participant = forms.ModelChoiceField(label=_("Participant"), queryset=None)
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("The procedure's code in the fee schedule, e.g. MRI.")
    )
    done_on = forms.DateField(label=_("Date done"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants


class PayableFilterForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, required=False, empty_label=_("All sites"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *((key, _(label)) for key, label in earnings.KIND_LABELS.items())],
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("unpaid", _("Unpaid")),
            ("overdue", _("Overdue")),
            ("in_run", _("In a run")),
            ("paid", _("Paid")),
        ],
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
