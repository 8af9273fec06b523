"""Labels the sites pages translate as they draw them (issue 20 §6): the forms' labels and help texts
taken from the models (translated by the shared field partial), listed so that makemessages keeps them."""

from django.utils.translation import gettext_noop as _

LABELS = (
    _("Choose a country"),
    _("IANA name, e.g. Europe/Berlin; deadlines at this institution's sites are computed in it."),
    _("Institution"),
    _("Name"),
    _("Planned activation date"),
    _("Postal code"),
    _("Region"),
    _("Site number"),
    _("Target enrollment"),
)
