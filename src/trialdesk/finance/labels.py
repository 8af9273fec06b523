"""The run-time labels of finance's choices and registrations (statuses, kinds of payable line, vendor
services, budget categories, "my work" kinds, the health signal), listed so that makemessages finds them;
pages and forms draw them translated."""

from django.utils.translation import gettext_noop as _

RUN_STATUSES = (_("Draft"), _("Approved"), _("Paid"), _("Cancelled"))
INVOICE_STATUSES = (_("Submitted"), _("Approved"), _("Disputed"))
LINE_KINDS = (
    _("Visit"),
    _("Procedure"),
    _("Screen failure"),
    _("Start-up"),
    _("Close-out"),
    _("Invoiceable item"),
    _("Holdback release"),
)
VENDOR_SERVICES = (
    _("CRO"),
    _("Central laboratory"),
    _("Imaging"),
    _("IRT"),
    _("eCOA"),
    _("Courier"),
    _("Other"),
)
BUDGET_CATEGORIES = (
    _("Sites"),
    _("Vendors"),
    _("Pass-through"),
    _("Investigational product"),
    _("Monitoring travel"),
    _("Other"),
)
WORK_KINDS = (
    _("Invoices to approve or dispute"),
    _("Payment runs to approve or pay"),
    _("Site payments due"),
    _("Holdbacks to release"),
)
HEALTH = (
    _("Estimate at completion"),
    _("Budget turns red when the median estimate at completion overruns it by more than"),
)
