"""The run-time labels of notifications' choices (kinds, deliveries, landing pages), listed so that
makemessages finds them; pages and forms draw them translated."""

from django.utils.translation import gettext_noop as _

KINDS = (
    _("Due within 24 hours"),
    _("Overdue"),
    _("Approval lapsing within 30 days"),
    _("Overdue on your study (escalated to you)"),
    _("Assigned to you"),
    _("Report to review"),
    _("Signal opened"),
    _("Note from Trialdesk"),
)
DELIVERIES = (_("E-mail immediately"), _("Daily digest"), _("No e-mail (in Trialdesk only)"))
HOME_PAGES = (_("My work"), _("Portfolio"))
