"""Forms of the People pages: a new account, a role grant on a person's page, a grant on the Team tab."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from trialdesk.core.roles import ROLE_SCOPES, Role, Scope


class PersonForm(forms.Form):
    """A new account; the fields are create_user's arguments."""

    username = forms.CharField(max_length=150, help_text="What the person signs in with.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text="Leave empty to generate a one-time password, shown once after saving.",
    )
    administrator = forms.BooleanField(
        required=False, help_text="Manages users, roles and reference data for the whole installation."
    )


def _role_choices(*, with_administrator: bool) -> list[tuple[str, str]]:
    roles = [
        (value, label) for value, label in Role.choices if with_administrator or value != Role.ADMINISTRATOR
    ]
    return [("", "— choose a role —"), *roles]


def _where_help(*, with_administrator: bool) -> str:
    per_site = sorted(Role(r).label for r, scopes in ROLE_SCOPES.items() if Scope.SITE in scopes)
    text = f"Per site: {', '.join(per_site)}; the others per study."
    return f"{text} Administrator: the whole installation." if with_administrator else text


class RoleGrantForm(forms.Form):
    """Grant one person a role on the installation, a study, or a site of a study (by its number)."""

    service_fields = {"study_site": "site_number"}

    role = forms.ChoiceField()
    study = forms.ModelChoiceField(queryset=None, required=False, empty_label="— whole installation —")
    site_number = forms.CharField(
        max_length=20, required=False, label="Site number", help_text="Empty for a study-level role."
    )

    def __init__(self, *args, studies, sites, with_administrator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(with_administrator=with_administrator)
        self.fields["role"].help_text = _where_help(with_administrator=with_administrator)
        self.fields["study"].queryset = studies
        self.sites = sites

    def clean(self):
        cleaned = super().clean()
        number, study = cleaned.get("site_number", "").strip(), cleaned.get("study")
        cleaned["study_site"] = None
        if number and study is None and "study" not in self.errors:
            self.add_error("site_number", gettext("Choose the study this site belongs to."))
        elif number and study is not None:
            cleaned["study_site"] = self.sites.filter(study=study, site_number=number).first()
            if cleaned["study_site"] is None:
                self.add_error(
                    "site_number",
                    gettext("Study %(code)s has no site %(number)s.")
                    % {"code": study.code, "number": number},
                )
        return cleaned

    def grant(self) -> dict:
        """assign_role's arguments for what was chosen."""
        data = self.cleaned_data
        return {"role": data["role"], "study": data["study"], "study_site": data["study_site"]}


class TeamGrantForm(forms.Form):
    """Put a person on a study's team: by username, on the whole study or on one of its sites."""

    service_fields = {"user": "username", "study_site": "site"}

    username = forms.CharField(max_length=150, help_text="An administrator opens new accounts.")
    role = forms.ChoiceField(
        choices=_role_choices(with_administrator=False), help_text=_where_help(with_administrator=False)
    )
    site = forms.ChoiceField(required=False, label="Where")

    def __init__(self, *args, study, sites, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study
        self.sites = {str(site.pk): site for site in sites}
        self.people = people
        self.fields["site"].choices = [("", gettext("the whole study %(code)s") % {"code": study.code})] + [
            (key, gettext("site %(site_number)s") % {"site_number": site.site_number})
            for key, site in self.sites.items()
        ]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        self.person = self.people.filter(username=username).first()
        if self.person is None:
            unknown = gettext("Nobody has the username %(username)s.")
            raise ValidationError(unknown % {"username": repr(username)})
        return username

    def grant(self) -> dict:
        site = self.sites.get(self.cleaned_data["site"])
        return {
            "user": self.person,
            "role": self.cleaned_data["role"],
            "study": self.study,
            "study_site": site,
        }
