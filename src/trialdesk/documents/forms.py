"""Forms of the documents pages: filing a document (with the artifact picker), a new version, filters."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trialdesk.core.forms import DateInput, IdentifierCheck
from trialdesk.documents import reference
from trialdesk.documents.models import Level

STATE_CHOICES = (
    ("", _("Any state")),
    ("missing", _("Missing")),
    ("expired", _("Expired")),
    ("expiring", _("Expiring")),
    ("present", _("Present")),
)


def artifact_choices() -> list:
    """The artifact picker: the TMF Reference Model's artifacts grouped by zone and section."""
    groups = [("", gettext("Choose the TMF artifact…"))]
    for zone in reference.zones():
        for section in zone.sections:
            label = f"{zone.number} {zone.name} › {section.number} {section.name}"
            groups.append((label, [(a.number, f"{a.number} {a.name}") for a in section.artifacts]))
    return groups


class DocumentFileForm(IdentifierCheck, forms.Form):
    """A new document: where it is filed, what it is, and its first file."""

    free_text_fields = ("title", "note")

    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.SITE)
    # Any text is taken here so that the service's message (naming the model) answers a bad artifact.
    artifact_number = forms.CharField(label=_("TMF artifact"), widget=forms.Select)
    study_site = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Site"), empty_label=_("(no site)")
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("ISO code; for country-level documents (e.g. DE, US)."),
    )
    protocol_version = forms.ModelChoiceField(
        queryset=None, label=_("Protocol version"), required=False, empty_label=_("(not version-bound)")
    )
    person = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Person"),
        empty_label=_("(nobody)"),
        help_text=_("Whose CV, certificate or disclosure."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty for the expected document's usual title."),
    )
    document_date = forms.DateField(
        label=_("Document date"), widget=DateInput, help_text=_("The date the document bears.")
    )
    expires_on = forms.DateField(label=_("Expiry date"), required=False, widget=DateInput)
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG, TIFF, DOCX, XLSX, TXT or CSV."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, sites, protocol_versions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["artifact_number"].widget.choices = artifact_choices()
        self.fields["study_site"].queryset = sites
        self.fields["protocol_version"].queryset = protocol_versions
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda user: user.get_full_name() or user.username


class DocumentVersionForm(forms.Form):
    """A new version of a document; it supersedes the current one."""

    document_date = forms.DateField(label=_("Document date"), widget=DateInput)
    expires_on = forms.DateField(label=_("Expiry date"), required=False, widget=DateInput)
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DocumentFilterForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, required=False, empty_label=_("All sites"))
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda s: (
            gettext("Site %(number)s (%(country)s)")
            % {
                "number": s.site_number,
                "country": s.institution.country,
            }
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"study_site": None, "state": ""}
        return {"study_site": self.cleaned_data["site"], "state": self.cleaned_data["state"]}
