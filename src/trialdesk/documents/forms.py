"""Forms of the documents pages: filing a document (with the artifact picker), a new version, filters."""

from django import forms

from trialdesk.core.forms import DateInput, IdentifierCheck
from trialdesk.documents import reference
from trialdesk.documents.models import Level

STATE_CHOICES = (
    ("", "Any state"),
    ("missing", "Missing"),
    ("expired", "Expired"),
    ("expiring", "Expiring"),
    ("present", "Present"),
)


def artifact_choices() -> list:
    """The artifact picker: the TMF Reference Model's artifacts grouped by zone and section."""
    groups = [("", "Choose the TMF artifact…")]
    for zone in reference.zones():
        for section in zone.sections:
            label = f"{zone.number} {zone.name} › {section.number} {section.name}"
            groups.append((label, [(a.number, f"{a.number} {a.name}") for a in section.artifacts]))
    return groups


class DocumentFileForm(IdentifierCheck, forms.Form):
    """A new document: where it is filed, what it is, and its first file."""

    free_text_fields = ("title", "note")

    level = forms.ChoiceField(choices=Level.choices, initial=Level.SITE)
    # Any text is taken here so that the service's message (naming the model) answers a bad artifact.
    artifact_number = forms.CharField(label="TMF artifact", widget=forms.Select)
    study_site = forms.ModelChoiceField(queryset=None, required=False, label="Site", empty_label="(no site)")
    country = forms.CharField(
        max_length=2, required=False, help_text="ISO code; for country-level documents (e.g. DE, US)."
    )
    protocol_version = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="(not version-bound)"
    )
    person = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="(nobody)",
        help_text="Whose CV, certificate or disclosure.",
    )
    title = forms.CharField(
        max_length=300, required=False, help_text="Leave empty for the expected document's usual title."
    )
    document_date = forms.DateField(widget=DateInput, help_text="The date the document bears.")
    expires_on = forms.DateField(label="Expiry date", required=False, widget=DateInput)
    file = forms.FileField(help_text="PDF, PNG, JPEG, TIFF, DOCX, XLSX, TXT or CSV.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, sites, protocol_versions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["artifact_number"].widget.choices = artifact_choices()
        self.fields["study_site"].queryset = sites
        self.fields["protocol_version"].queryset = protocol_versions
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda user: user.get_full_name() or user.username


class DocumentVersionForm(forms.Form):
    """A new version of a document; it supersedes the current one."""

    document_date = forms.DateField(widget=DateInput)
    expires_on = forms.DateField(label="Expiry date", required=False, widget=DateInput)
    file = forms.FileField()
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DocumentFilterForm(forms.Form):
    site = forms.ModelChoiceField(queryset=None, required=False, empty_label="All sites")
    state = forms.ChoiceField(choices=STATE_CHOICES, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda s: f"Site {s.site_number} ({s.institution.country})"

    def filters(self) -> dict:
        if not self.is_valid():
            return {"study_site": None, "state": ""}
        return {"study_site": self.cleaned_data["site"], "state": self.cleaned_data["state"]}
