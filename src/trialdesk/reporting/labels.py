"""The run-time labels of reporting: the report sections' titles (registered in English in
core.extensions.report_sections), listed so that makemessages finds them; reports draw them translated."""

from django.utils.translation import gettext_noop as _

SECTION_TITLES = (
    _("Health"),
    _("Enrollment"),
    _("Site activation"),
    _("Milestones"),
    _("Safety"),
    _("Regulatory status"),
    _("Open issues and risks"),
    _("Key risk indicators"),
    _("Finance"),
)
