"""Labels the subjects app's study-team pages translate as they draw them (issue 20 §6): form labels and
help texts taken from the models, listed so that makemessages keeps them (the site staff's are in
core/labels.py)."""

from django.utils.translation import gettext_noop as _

LABELS = (
    _("A category of the dimension; an age band such as 65+ or 18-64; a country code such as US."),
    _("One per line, e.g. Future research, Genetic testing."),
    _("Target %"),
    _("The form's language, e.g. en, de, es-US."),
    _("e.g. 3.0, or 2.1-DE"),
)
