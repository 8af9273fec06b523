"""Forms of the randomization pages: the scheme, randomizing a participant, unblinding, unblinded access."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from trialdesk.analytics.randomization import RandomizationInputError
from trialdesk.core.esign import MISSING_PASSWORD
from trialdesk.core.forms import reason_field
from trialdesk.core.models import User
from trialdesk.randomization import rules
from trialdesk.randomization.models import Measure, Method, RandomizationScheme, UnblindedAccess

FACTORS_HELP = (
    "Factors and their levels: name=level,level with ; between factors, "
    "e.g. sex=M,F;age=<65,>=65. Permuted blocks: one list per combination (stratum)."
)


def _whole_numbers(text: str) -> list[int]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not all(item.isdecimal() for item in items):
        raise ValidationError(
            gettext("%(text)s is not whole numbers separated by commas.") % {"text": repr(text)}
        )
    return [int(item) for item in items]


class SchemeForm(forms.Form):
    """A randomization scheme; factors and block sizes typed as on the `trialdesk stats` command line."""

    method = forms.ChoiceField(choices=Method.choices)
    arms = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        help_text="The arms to randomize between; each arm's allocation ratio is set on the Arms tab.",
    )
    factors = forms.CharField(required=False, max_length=2000, help_text=FACTORS_HELP)
    weights = forms.CharField(
        required=False, max_length=500, help_text="Minimization: one weight per factor, e.g. 1,1 (default 1)."
    )
    block_sizes = forms.CharField(
        required=False,
        max_length=200,
        help_text="Permuted blocks: sizes drawn at random among these, e.g. 4,6; each a multiple of the "
        "ratio's sum.",
    )
    per_stratum = forms.IntegerField(
        required=False, min_value=1, max_value=rules.MAX_PER_STRATUM, label="Slots per stratum"
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=rules.MAX_SEED,
        help_text="Leave empty to draw a secret seed. Shown only to people with unblinded access.",
    )
    measure = forms.ChoiceField(choices=Measure.choices, help_text="Minimization's imbalance measure.")
    p_preferred = forms.FloatField(
        initial=0.8,
        min_value=0,
        max_value=1,
        label="Probability of the preferred arm",
        help_text="Minimization: e.g. 0.8; 1 is deterministic minimization.",
    )
    site_is_factor = forms.BooleanField(required=False, label="Site is a minimization factor")
    site_weight = forms.FloatField(initial=1.0, min_value=0, label="Weight of the site")

    def __init__(self, *args, study, scheme: RandomizationScheme | None = None, show_seed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arms"].choices = [
            (arm.code, f"{arm.code}: {arm.name} (ratio {arm.allocation_ratio})") for arm in study.arms.all()
        ]
        if scheme is None:
            self.fields["arms"].initial = [code for code, _ in self.fields["arms"].choices]
            return
        factors, weights = rules.factors_as_text(scheme.factors)
        self.initial.update(
            method=scheme.method,
            arms=scheme.arm_codes(),
            factors=factors,
            weights=weights,
            block_sizes=",".join(str(size) for size in scheme.block_sizes),
            per_stratum=scheme.per_stratum,
            seed=scheme.seed if show_seed else None,
            measure=scheme.measure,
            p_preferred=scheme.p_preferred,
            site_is_factor=scheme.site_is_factor,
            site_weight=scheme.site_weight,
        )
        if not show_seed:
            self.fields["seed"].help_text = "Leave empty to keep the seed drawn (it is not shown to you)."
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=scheme.version)
        self.fields["reason"] = reason_field()

    def clean_block_sizes(self):
        return _whole_numbers(self.cleaned_data["block_sizes"])

    def clean(self):
        cleaned = super().clean()
        if "factors" in cleaned and "weights" in cleaned:
            try:
                cleaned["factor_values"] = rules.factors_from_text(cleaned["factors"], cleaned["weights"])
            except RandomizationInputError as error:
                self.add_error(error.field if error.field in self.fields else "factors", error.problem)
        return cleaned

    def scheme_values(self) -> dict:
        """create_scheme's (or update_scheme's) values for what was typed."""
        data = self.cleaned_data
        values = {name: data[name] for name in ("method", "arms", "block_sizes", "per_stratum", "seed")}
        values.update(
            {name: data[name] for name in ("measure", "p_preferred", "site_is_factor", "site_weight")}
        )
        values["factors"] = data["factor_values"]
        return values

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def reason_given(self) -> str:
        return self.cleaned_data.get("reason", "")


class ActivateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class RandomizeForm(forms.Form):
    """The participant's level of each factor of the scheme (the site, if a factor, is known already)."""

    def __init__(self, *args, factors: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.names = {}
        for index, factor in enumerate(factors):
            key = f"level_{index}"
            self.names[key] = factor["name"]
            self.fields[key] = forms.ChoiceField(
                label=factor["name"],
                choices=[("", "— choose —"), *((level, level) for level in factor["levels"])],
            )

    def factor_levels(self) -> dict[str, str]:
        return {name: self.cleaned_data[key] for key, name in self.names.items()}


class UnblindForm(forms.Form):
    """Emergency unblinding: a reason, and the signer's password as their electronic signature."""

    reason = forms.CharField(
        label="Reason for unblinding",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the participant must be unblinded."},
        help_text="e.g. the medical emergency that needs the treatment known. Kept on the audit trail.",
    )
    password = forms.CharField(
        label="Your password (electronic signature)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": MISSING_PASSWORD},
        help_text='Signing means "unblinding": you see this participant\'s arm, and the CRM is told.',
    )


class GrantAccessForm(forms.Form):
    """Give one person on the study unblinded access."""

    service_fields = {"user": "username"}

    username = forms.CharField(max_length=150, help_text="Someone with a role on this study.")
    reason = reason_field()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        self.person = User.objects.filter(username=username).first()
        if self.person is None:
            raise ValidationError(
                gettext("Nobody has the username %(username)s.") % {"username": repr(username)}
            )
        return username


class RevokeAccessForm(forms.Form):
    access = forms.ModelChoiceField(queryset=UnblindedAccess.objects.none(), widget=forms.HiddenInput)
    reason = reason_field()

    def __init__(self, *args, grants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["access"].queryset = grants
