"""App configuration for recruitment (issue 18): the study page's Eligibility tab, the site page's
pre-screening panel, the demo's criteria and candidate pools, audit labels, routes and scoping cases."""

from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "trialdesk.recruitment"
    label = "recruitment"

    def ready(self):
        from trialdesk.recruitment import registrations

        registrations.register_all()
