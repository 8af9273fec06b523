"""Labels the incidents pages translate as they draw them (issue 20 §6): the forms' labels, help texts
and choices, kinds, risks, HIPAA roles, notification statuses and clocks, the list's columns and the
board's headings. Defined in English where they belong (forms, rules, models, views, work); listed here
so that makemessages keeps their msgids."""

from django.utils.translation import gettext_noop as _

LABELS = (
    _("A short name, e.g. 'Laptop with the screening log lost'."),
    _("In the reporting party's time zone (shown above)."),
    _("In the sponsor's time zone (below): the notification clocks start here."),
    _("The recipient's case or acknowledgement number."),
    _("A high risk to individuals"),
    _("A risk to individuals"),
    _("Affected individuals"),
    _("Affected residents by US State"),
    _("Affected"),
    _("Any kind"),
    _("Aware at"),
    _("Description"),
    _("Due in the next 24 hours"),
    _("Due later this week"),
    _("E.g. CA=620, NY=15 (HIPAA media notice: more than 500 of one State). Empty: not known."),
    _("EU / EEA"),
    _("Empty: the study as a whole."),
    _(
        "GDPR art. 33: no notification when unlikely to result in a risk; art. 34: individuals "
        "are told when the risk is high."
    ),
    _("HIPAA business associate"),
    _("HIPAA covered entity"),
    _("HIPAA role"),
    _("IANA name, e.g. Europe/Berlin: deadlines are shown and day clocks end in it."),
    _("Incident notifications to make"),
    _("Jurisdictions"),
    _("Kind"),
    _("Made at"),
    _("Measures taken or proposed"),
    _("Met"),
    _("Missed"),
    _("Not a HIPAA covered entity or business associate"),
    _("Not required"),
    _("Number"),
    _("Open notifications"),
    _("Open"),
    _("Overdue"),
    _("Personal data breach"),
    _("Reference number"),
    _("Risk to individuals"),
    _("Serious breach of the protocol or GCP"),
    _("Site"),
    _("Sponsor became aware"),
    _("Sponsor time zone"),
    _("The whole study"),
    _("Title"),
    _("United Kingdom"),
    _("United States"),
    _("Unlikely to result in a risk to individuals"),
    _("Without undue delay (no fixed period)"),
    _("calendar"),
    _("working"),
    _("Incidents"),
    _("Safety"),
    _("Incident"),
    _("Incident notification"),
    # rules.warnings_for, said on the incident's page (the API and the command keep them in English)
    _(
        "US: no federal clock for a serious breach of the protocol or GCP; follow the IRB's policy "
        "and the sponsor's procedures"
    ),
    _("US: not a HIPAA covered entity or business associate, so no HIPAA clock; check State law"),
    _(
        "US: residents by State not given; media notice (45 CFR 164.406) is listed because more than "
        "500 of one State cannot be ruled out"
    ),
    _(
        "GDPR art. 33(1), 33(5): unlikely to result in a risk, so no notification; document the breach "
        "and the reasoning in the breach register"
    ),
)
