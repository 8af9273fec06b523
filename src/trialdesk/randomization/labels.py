"""Labels the randomization pages translate as they draw them (issue 20 §6): the scheme, unblinding
and access forms' labels, help texts and choices, scheme statuses, methods and imbalance measures.
Defined in English where they belong (forms, models); listed here so that makemessages keeps them."""

# ruff: noqa: E501
from django.utils.translation import gettext_noop as _

LABELS = (
    _("Active"),
    _("Arms"),
    _("Block sizes"),
    _("Draft"),
    _("Factors"),
    _(
        "Factors and their levels: name=level,level with ; between factors, e.g. sex=M,F;age=<65,>=65. Permuted blocks: one list per combination (stratum)."
    ),
    _("Leave empty to draw a secret seed. Shown only to people with unblinded access."),
    _("Measure"),
    _("Method"),
    _("Minimization's imbalance measure."),
    _("Minimization: e.g. 0.8; 1 is deterministic minimization."),
    _("Minimization: one weight per factor, e.g. 1,1 (default 1)."),
    _("Permuted blocks: sizes drawn at random among these, e.g. 4,6; each a multiple of the ratio's sum."),
    _("Pocock–Simon minimization"),
    _("Probability of the preferred arm"),
    _("Range"),
    _("Reason for change"),
    _("Reason for unblinding"),
    _("Recorded on the audit trail with the change."),
    _("Seed"),
    _('Signing means "unblinding": you see this participant\'s arm, and the CRM is told.'),
    _("Site is a minimization factor"),
    _("Slots per stratum"),
    _("Someone with a role on this study."),
    _("Stratified permuted blocks"),
    _("The arms to randomize between; each arm's allocation ratio is set on the Arms tab."),
    _("Username"),
    _("Variance"),
    _("Weight of the site"),
    _("Weights"),
    _("Your password (electronic signature)"),
    _("e.g. the medical emergency that needs the treatment known. Kept on the audit trail."),
)
