"""The pages' forms. They render and check shapes; the services decide, and their ValidationErrors land on
the field they name (the forms' fields carry the services' argument names)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from trialdesk.core.forms import DateInput, reason_field
from trialdesk.safety.forms import DateTimeInput
from trialdesk.samples import rules
from trialdesk.samples.models import PermitDirection
from trialdesk.samples.services import parse_receipt_lines
from trialdesk.sites.rules import country_choices

TEMPERATURE_HELP = _("One reading a line: time with its zone, °C — e.g. 2026-12-01T08:00+01:00, -78.5")


def in_zone(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """A wall-clock time typed on the page, read in `zone` (the page labels which)."""
    return None if value is None else value.replace(tzinfo=None).replace(tzinfo=zone)


class LaboratoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]


class SampleTypeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("e.g. SER, WB, FFPE"))
    name = forms.CharField(label=_("Name"), max_length=100)
    storage_min_c = forms.DecimalField(label=_("Storage minimum (°C)"), max_digits=5, decimal_places=1)
    storage_max_c = forms.DecimalField(label=_("Storage maximum (°C)"), max_digits=5, decimal_places=1)
    infectious = forms.BooleanField(
        label=_("Known or suspected to contain an infectious agent"),
        required=False,
        help_text=_("Decides whether an import permit for infectious substances is needed (e.g. the US)."),
    )


class PermitForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=PermitDirection.choices)
    from_country = forms.ChoiceField(label=_("From (export country)"))
    to_country = forms.ChoiceField(label=_("To (import country)"))
    authority = forms.CharField(label=_("Issuing authority"), max_length=200)
    number = forms.CharField(label=_("Permit number"), max_length=100)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)
    sample_type_codes = forms.MultipleChoiceField(
        label=_("Sample types covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every sample type of the study."),
    )
    covers = forms.CharField(
        label=_("What it covers"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )

    def __init__(self, *args, type_codes=(), edit_version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        countries = [("", "—"), *country_choices()]
        self.fields["from_country"].choices = countries
        self.fields["to_country"].choices = countries
        self.fields["sample_type_codes"].choices = [(code, code) for code in type_codes]
        if edit_version is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=edit_version)
            self.fields["reason"] = reason_field()

    def values(self) -> dict:
        data = self.cleaned_data
        names = (
            "direction",
            "from_country",
            "to_country",
            "authority",
            "number",
            "valid_from",
            "valid_until",
        )
        return {
            **{name: data[name] for name in names},
            "sample_type_codes": list(data["sample_type_codes"]),
            "covers": data["covers"],
        }


class CollectForm(forms.Form):
    participant = forms.ChoiceField(label=_("Participant"))
    scheduled_visit = forms.ChoiceField(label=_("Visit"))
    sample_type = forms.ChoiceField(label=_("Sample type"))
    barcode = forms.CharField(label=_("Sample id (barcode)"), max_length=60)
    collected_at = forms.DateTimeField(label=_("Collected at"), widget=DateTimeInput)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, participants, visits, sample_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = {str(p.pk): p for p in participants}
        self.visits = {str(v.pk): v for v in visits}
        self.sample_types = {str(t.pk): t for t in sample_types}
        self.fields["participant"].choices = [("", "—")] + [
            (k, p.number) for k, p in self.participants.items()
        ]
        self.fields["scheduled_visit"].choices = [("", "—")] + [
            (key, f"{visit.participant.number}: {visit} {visit.done_on or visit.target_on or ''}".strip())
            for key, visit in self.visits.items()
        ]
        self.fields["sample_type"].choices = [("", "—")] + [(k, str(t)) for k, t in self.sample_types.items()]

    def values(self, zone: ZoneInfo) -> dict:
        data = self.cleaned_data
        return {
            "participant": self.participants[data["participant"]],
            "scheduled_visit": self.visits[data["scheduled_visit"]],
            "sample_type": self.sample_types[data["sample_type"]],
            "barcode": data["barcode"],
            "collected_at": in_zone(data["collected_at"], zone),
            "note": data["note"],
        }


class ShipForm(forms.Form):
    laboratory = forms.ChoiceField(label=_("Laboratory"))
    barcodes = forms.CharField(
        label=_("Samples (barcodes)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One barcode a line (or separated by commas), as scanned."),
    )
    courier = forms.CharField(label=_("Courier"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("Courier tracking number"), max_length=100)
    shipped_at = forms.DateTimeField(label=_("Shipped at"), widget=DateTimeInput)
    export_permit = forms.ChoiceField(label=_("Export permit"), required=False)
    import_permit = forms.ChoiceField(label=_("Import permit"), required=False)
    temperature_log = forms.CharField(
        label=_("Temperature log"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=TEMPERATURE_HELP,
    )

    def __init__(self, *args, laboratories, permits, **kwargs):
        super().__init__(*args, **kwargs)
        self.laboratories = {str(lab.pk): lab for lab in laboratories}
        self.permits = {str(p.pk): p for p in permits}
        self.fields["laboratory"].choices = [("", "—")] + [
            (k, str(lab)) for k, lab in self.laboratories.items()
        ]
        for name, direction in (("export_permit", rules.EXPORT), ("import_permit", rules.IMPORT)):
            self.fields[name].choices = [("", _("none"))] + [
                (key, f"{permit} ({permit.authority}, until {permit.valid_until:%Y-%m-%d})")
                for key, permit in self.permits.items()
                if permit.direction == direction
            ]

    def clean_temperature_log(self) -> list[dict]:
        try:
            return rules.parse_temperature_log(self.cleaned_data["temperature_log"])
        except rules.TemperatureLogError as error:
            raise forms.ValidationError(str(error)) from None

    def values(self, zone: ZoneInfo) -> dict:
        data = self.cleaned_data
        return {
            "laboratory": self.laboratories[data["laboratory"]],
            "barcodes": data["barcodes"],
            "courier": data["courier"],
            "tracking_number": data["tracking_number"],
            "shipped_at": in_zone(data["shipped_at"], zone),
            "export_permit": self.permits.get(data["export_permit"] or ""),
            "import_permit": self.permits.get(data["import_permit"] or ""),
            "temperature_log": data["temperature_log"],
        }


class CustodyForm(forms.Form):
    handed_over_at = forms.DateTimeField(label=_("Handed over at (UTC)"), widget=DateTimeInput)
    from_party = forms.CharField(label=_("From"), max_length=200)
    to_party = forms.CharField(label=_("To"), max_length=200)
    location = forms.CharField(label=_("Where"), max_length=200)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def values(self) -> dict:
        data = self.cleaned_data
        return {**data, "handed_over_at": in_zone(data["handed_over_at"], dt.UTC)}


class TemperatureForm(forms.Form):
    temperature_log = forms.CharField(
        label=_("Temperature log"), widget=forms.Textarea(attrs={"rows": 8}), help_text=TEMPERATURE_HELP
    )
    reason = reason_field()

    def clean_temperature_log(self) -> list[dict]:
        try:
            return rules.parse_temperature_log(self.cleaned_data["temperature_log"])
        except rules.TemperatureLogError as error:
            raise forms.ValidationError(str(error)) from None


class ReceiptForm(forms.Form):
    received = forms.CharField(
        label=_("Samples received"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One barcode a line, with its condition after a comma when not good (thawed, damaged, "
            "unlabelled). Samples of the shipment not listed did not arrive."
        ),
    )
    received_at = forms.DateTimeField(label=_("Received at (UTC)"), widget=DateTimeInput)
    received_by = forms.CharField(label=_("Received by (at the laboratory)"), max_length=200, required=False)
    receipt_condition = forms.CharField(
        label=_("Condition on receipt"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "received": parse_receipt_lines(data["received"]),
            "received_at": in_zone(data["received_at"], dt.UTC),
            "received_by": data["received_by"],
            "receipt_condition": data["receipt_condition"],
        }
