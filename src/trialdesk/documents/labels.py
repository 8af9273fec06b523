"""The run-time labels of documents' choices (levels, as choices and as the expected list's codes), listed
so that makemessages finds them; pages draw them translated."""

from django.utils.translation import gettext_noop as _

LEVELS = (_("Trial"), _("Country"), _("Site"))
LEVEL_CODES = (_("trial"), _("country"), _("site"))
