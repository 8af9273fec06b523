"""The run-time labels of regulatory's choices and rules (committee types, submission kinds and outcomes,
continuing-review exemptions, checklist items and their states, countdown words), listed so that
makemessages finds them; pages and forms draw them translated."""

from django.utils.translation import gettext_noop as _

COMMITTEE_TYPES = (
    _("Central IRB"),
    _("Local IRB"),
    _("Central ethics committee"),
    _("Local ethics committee"),
)
SUBMISSION_KINDS = (
    _("Initial"),
    _("Amendment"),
    _("Continuing review"),
    _("Safety report"),
    _("Deviation report"),
    _("Closure"),
)
OUTCOMES = (
    _("Approved"),
    _("Approved with conditions"),
    _("Rejected"),
    _("Acknowledged"),
    _("Deemed approved (no decision within the legal period)"),
)
MANUAL_ITEMS = (
    _("Submitted to the ethics committee"),
    _("Submitted to the authority"),
    _("New visit schedule applied"),
)
REGULATED_BY = (
    _("Not stated"),
    _("FDA-regulated (21 CFR 56)"),
    _("Common Rule only, not FDA-regulated (45 CFR 46)"),
)
EXEMPTIONS = (
    _("None: continuing review as the committee and the law require"),
    _("Not required: eligible for expedited review (45 CFR 46.109(f)(1)(i))"),
    _("Not required: limited IRB review (45 CFR 46.109(f)(1)(ii))"),
    _("Not required: only data analysis or follow-up clinical data remain (45 CFR 46.109(f)(1)(iii))"),
)
CHECKLIST_STATES = (_("done"), _("pending"), _("blocked"), _("not required"), _("unknown"), _("to check"))
# The committee and submission forms' model labels and help texts (forms.draw_translated).
FORM_LABELS = (
    _("Name"),
    _("Country (ISO 3166-1 alpha-2)"),
    _("Type"),
    _("Continuing review period (months)"),
    _("Empty when the committee has no periodic continuing review (e.g. EU CTR)."),
    _("Days to report safety events"),
    _("Its deadline for unanticipated problems / SUSARs sent to it."),
    _("Days to report serious deviations"),
    _("Wants annual progress report"),
    _("Reporting policy"),
    _("Anything else it asks for, in its words."),
    _("Contact email"),
    _("Study site"),
    _("Empty: the whole study."),
    _("Ethics committee"),
    _("Authority"),
    _("Kind"),
    _("Protocol version"),
    _("Required for an amendment."),
    _("Committee / authority reference"),
    _("Documents included"),
    _("One document per line."),
    _("Submission date"),
    _("Conditions attached to the approval."),
    _("Reviewed under"),
)
