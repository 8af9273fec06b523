"""App configuration for people: the People directory and Team tab, site staff's training and delegation
(the Staff tab and the site page's panel), and the demo's staff records."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "trialdesk.people"
    label = "people"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.people import demo, health, selectors, tabs, work
        from trialdesk.people.directory import team

        for section in (
            ext.StudySection("team", "Team", "people/tabs/team.html", team.team_section, 60, "Sites"),
            ext.StudySection("staff", "Staff", "people/tabs/staff.html", tabs.staff_tab, 600, "Regulatory"),
        ):
            ext.study_sections.register(section)
        # Only those the rule lets see them read a financial disclosure's interests on the audit trail.
        ext.audit_masks.register(selectors.mask_financial_interests)
        ext.health_signals.register(health.DELEGATION)
        ext.my_work.register(work.TRAINING)
        ext.my_work.register(work.DELEGATIONS)
        ext.site_panels.register(
            ext.Panel("staff", "people/partials/site_panel.html", tabs.site_staff_panel, 10)
        )
        ext.demo_loaders.register(
            ext.DemoLoader("people_records", "Training and delegation", demo.load, ("assignments",))
        )
        for object_type, label in (
            ("people.trainingrecord", "Training record"),
            ("people.delegationentry", "Delegation log entry"),
            ("people.financialdisclosure", "Financial disclosure"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.routes.register(
            ext.RouteSet("people", "trialdesk.people.urls", "trialdesk.people.api", order=110)
        )
        ext.routes.register(
            ext.RouteSet(
                "directory", "trialdesk.people.directory.urls", "trialdesk.people.directory.api", order=11
            )
        )
        ext.scoping_cases.register("trialdesk.people.tests.scoping")
