"""Forms shared by every page that changes a regulated record (version check, reason for change), and
the forms of the account pages: signing in, API tokens, people, roles and passwords."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from trialdesk.core import identifiers
from trialdesk.core.records import StaleVersion

REASON_REQUIRED = "A reason for change is required."


def reason_field(*, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("Reason for change"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": REASON_REQUIRED},
        help_text=_("Recorded on the audit trail with the change."),
    )


class DateInput(forms.DateInput):
    """A browser date picker; ISO format so the picker shows the stored value."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


SAVE_ANYWAY = "save_anyway"


def staff_directory_names() -> list[str]:
    """The full names of everyone with an account: a participant called by one of them is a breach."""
    from trialdesk.core.models import User

    rows = User.objects.exclude(first_name="").exclude(last_name="").values_list("first_name", "last_name")
    return sorted({f"{first} {last}" for first, last in rows})


class IdentifierCheck:
    """A form whose `free_text_fields` are checked for likely direct identifiers before it is saved
    (issue 20 §4: participants are numbers, never names or contact details).

    A finding makes the form invalid with a warning on the field, naming what was seen, and shows a
    "save anyway" box: ticked, the same text is accepted (it is, say, the site's own switchboard).
    A form declares its free text with one line: ``free_text_fields = ("narrative",)``.
    """

    free_text_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.free_text_fields:
            self.fields[SAVE_ANYWAY] = forms.BooleanField(
                required=False,
                widget=forms.HiddenInput,
                label="Save anyway: what was found is not a participant's identifier",
            )

    def full_clean(self) -> None:
        super().full_clean()
        if not self.free_text_fields or not hasattr(self, "cleaned_data"):
            return
        # Taken out of the values: a page hands cleaned_data to its service, which knows nothing of it.
        if not self.cleaned_data.pop(SAVE_ANYWAY, False):
            self._warn_of_identifiers()

    def _warn_of_identifiers(self) -> None:
        names = None
        for name in self.free_text_fields:
            text = self.cleaned_data.get(name)
            if not isinstance(text, str) or not text:
                continue
            names = staff_directory_names() if names is None else names
            found = identifiers.find_identifiers(text, names=names)
            if found:
                kinds = ", ".join(dict.fromkeys(finding.label() for finding in found))
                self.add_error(
                    name,
                    f"Possible identifier ({kinds}): participants are numbers, never names or contact "
                    "details. Remove it, or tick 'save anyway' if it is not a participant's.",
                )
        if self.errors and any(name in self.errors for name in self.free_text_fields):
            self.fields[SAVE_ANYWAY].widget = forms.CheckboxInput()


class RegulatedRecordForm(IdentifierCheck, forms.ModelForm):
    """A ModelForm for a regulated record.

    Editing an existing record adds a hidden copy of the version the user saw (so a change made
    meanwhile by someone else is refused, not overwritten) and a required reason for change.
    The form only renders and checks fields; the page then calls the app's service to save.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_edit:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version
            )
            self.fields["reason"] = reason_field()

    @property
    def is_edit(self) -> bool:
        return self.instance.pk is not None

    def changed_values(self) -> dict:
        """The model fields of this form with their cleaned values, for the service's `changes`."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version") if self.is_edit else None

    def reason_given(self) -> str:
        return self.cleaned_data.get("reason", "")


class StatusChangeForm(forms.Form):
    """Move a record to another status; the service decides whether the move is allowed."""

    to = forms.ChoiceField(label="New status")
    on = forms.DateField(label="Date", required=False, widget=DateInput, help_text="Defaults to today.")
    reason = reason_field()

    def __init__(self, *args, statuses, allowed=(), record_version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Every status is accepted here so that a refused move gets the service's message,
        # which names the allowed ones; the select offers only the allowed ones.
        self.fields["to"].choices = statuses
        self.allowed_choices = [(value, label) for value, label in statuses if value in allowed]
        self.fields["to"].widget.choices = self.allowed_choices
        if record_version is not None:
            # Optional: a move posted without it (a script, a test) skips the stale-version check.
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=record_version, required=False
            )

    @property
    def is_final(self) -> bool:
        return not self.allowed_choices

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def reason_given(self) -> str:
        return self.cleaned_data.get("reason", "")


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class PreferencesForm(forms.Form):
    """A person's language (with its date and number formats) and time zone (issue 20 §6)."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_(
            "Also how dates and numbers are written. Not chosen: the language your browser asks for."
        ),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_(
            "For times of day shown to you. Deadlines stay in the site's or reporting party's zone, named."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As my browser asks")), *settings.LANGUAGES]
        zones = sorted(zoneinfo.available_timezones() - {"localtime"})
        self.fields["time_zone"].choices = [("", _("UTC (not chosen)")), *((zone, zone) for zone in zones)]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What will use it, e.g. 'weekly enrollment export'.",
    )


class ReasonForm(forms.Form):
    reason = reason_field()


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = " ".join(password_validators_help_texts())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password") and cleaned.get("new_password") != cleaned.get("new_password_again"):
            self.add_error("new_password_again", "The two new passwords are not the same.")
        return cleaned


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else above the form.

    A form whose fields are named differently from the service's arguments maps them in
    `service_fields` (e.g. the service's ``study_site`` is the form's ``site_number``).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    renamed = getattr(form, "service_fields", {})
    for field, errors in error.error_dict.items():
        field = renamed.get(field, field)
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


def submit(form: forms.BaseForm, write):
    """Call `write(form)` for a valid form and return its result; None when nothing was saved.

    A ValidationError from the service lands on the form's fields; a StaleVersion becomes an
    error above the form. PermissionDenied passes through (Django answers 403).
    """
    if not form.is_valid():
        return None
    try:
        return write(form)
    except ValidationError as error:
        add_service_errors(form, error)
    except StaleVersion as error:
        form.add_error(None, str(error))
    return None
