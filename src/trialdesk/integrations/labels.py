"""Labels the import and registry pages translate as they draw them (issue 20 §6): the registry facts
form's labels, help texts and choices, listed so that makemessages keeps them."""

from django.utils.translation import gettext_noop as _

LABELS = (
    _("A product made in the United States is exported for the study"),
    _("Applicable clinical trial (FDAAA 801)"),
    _("Certification to delay results submitted on"),
    _("Conducted under a US IND or IDE"),
    _("EU summary of results submitted on"),
    _("End of trial in the EU"),
    _("IND / IDE number"),
    _("Leave empty to use the registry's actual completion date."),
    _("Not said"),
    _("Paediatric trial (EU results within six months)"),
    _("Product (or new use) approved, licensed or cleared by the FDA on"),
    _("Read from the registry record"),
    _("Seeking approval of a new use (42 CFR 11.44(b))"),
    _("Seeking initial approval, licensure or clearance (42 CFR 11.44(c))"),
    _("The certification to delay results seeks"),
    _("Unknown: read from the registry record (isUsExport) where it says."),
    _("Unknown: read from the registry's age groups (CHILD) where it gives them."),
)
