"""Labels the visits app's study-team pages translate as they draw them (issue 20 §6): the schedule and
deviation forms' labels, help texts and choices, listed so that makemessages keeps them (the site
staff's are in core/labels.py)."""

from django.utils.translation import gettext_noop as _

LABELS = (
    _("Allowed modalities"),
    _("Any category"),
    _("Created automatically"),
    _("Date identified"),
    _("Date occurred"),
    _("Day offset"),
    _("Days after the anchor (0 is the anchor day; negative for visits before it)."),
    _("Empty for a deviation that concerns the site rather than one participant."),
    _("Important deviation?"),
    _("Keep as recorded"),
    _("May affect participants' safety, rights or wellbeing, or data reliability."),
    _("No, not important"),
    _("Order"),
    _("Position in the schedule."),
    _("Visit type"),
    _("Window after (days)"),
    _("Window before (days)"),
    _("Yes, important"),
    _("e.g. SCR, BL, W4, EOS"),
)
