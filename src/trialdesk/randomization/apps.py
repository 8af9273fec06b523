"""App configuration for randomization: the Randomization tab and page, allocation concealment on the
audit trail."""

from django.apps import AppConfig


class RandomizationConfig(AppConfig):
    name = "trialdesk.randomization"
    label = "randomization"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.randomization import concealment, views

        ext.study_sections.register(
            ext.StudySection(
                "randomization",
                "Randomization",
                "randomization/tabs/randomization.html",
                views.study_tab,
                200,
                "Participants",
            )
        )
        ext.participant_links.register(
            ext.PageLink("randomization", "Randomization", "participant_randomization", 20)
        )
        # A blinded reader sees "blinded" wherever an audit event holds an arm.
        ext.audit_masks.register(concealment.mask_events)
        for object_type, label, subject_level in (
            ("randomization.randomizationscheme", "Randomization scheme", False),
            ("randomization.randomizationslot", "Randomization list slot", False),
            ("randomization.allocation", "Allocation", True),
            ("randomization.unblindingevent", "Emergency unblinding", True),
            ("randomization.unblindedaccess", "Unblinded access", False),
            ("randomization.notification", "Notification", False),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level))
        ext.routes.register(
            ext.RouteSet(
                "randomization", "trialdesk.randomization.urls", "trialdesk.randomization.api", order=50
            )
        )
