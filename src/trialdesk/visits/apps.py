"""App configuration for visits (schedules of activities, participants' visits, protocol deviations):
the Deviations tab, the participant's Visits page, visits scheduled at enrollment, the visit KRIs."""

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "trialdesk.visits"
    label = "visits"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.visits import demo, kris, selectors, services, views

        ext.study_sections.register(
            ext.StudySection(
                "deviations",
                "Deviations",
                "visits/tabs/deviations.html",
                views.deviations_tab,
                210,
                "Quality",
            )
        )
        ext.participant_links.register(ext.PageLink("visits", "Visits", "participant_visits", 10))
        ext.enrollment_hooks.register(ext.Hook("visit_schedule", services.schedule_on_enrollment))
        ext.next_visit_dates.register(selectors.next_scheduled_visits_on)
        ext.kris.register(ext.KriSource("visits", kris.DEFINITIONS, kris.counts, order=10))
        ext.demo_site_steps.register(ext.Hook("deviations", demo.site_step, order=20))
        for object_type, label, subject_level in (
            ("visits.visitdefinition", "Visit definition", False),
            ("visits.scheduledvisit", "Visit", True),
            ("visits.protocoldeviation", "Protocol deviation", True),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level))
        ext.routes.register(ext.RouteSet("visits", "trialdesk.visits.urls", "trialdesk.visits.api", order=60))
