"""App configuration for samples: its study tab and site panel, pages and API, "my work" items, the
demo's samples and shipments, and which of its records are subject-level."""

from django.apps import AppConfig


class SamplesConfig(AppConfig):
    name = "trialdesk.samples"
    label = "samples"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.samples import demo, tabs, work

        ext.study_sections.register(
            ext.StudySection(
                "samples", "Samples", "samples/tabs/samples.html", tabs.samples_tab, 265, "Participants"
            )
        )
        ext.site_panels.register(ext.Panel("samples", "samples/panels/site.html", tabs.site_panel, 45))
        for source in (work.RECEIPTS, work.PERMITS, work.WAITING):
            ext.my_work.register(source)
        ext.demo_loaders.register(
            ext.DemoLoader("samples", "Biological samples, shipments and permits", demo.load, ("sites",))
        )
        for object_type, label, subject_level in (
            ("samples.laboratory", "Central laboratory", False),
            ("samples.sampletype", "Sample type", False),
            ("samples.permit", "Sample import/export permit", False),
            ("samples.sample", "Sample", True),
            ("samples.shipment", "Sample shipment", False),
            ("samples.shipmentitem", "Sample in a shipment", True),
            ("samples.custodytransfer", "Sample shipment hand-over", False),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level=subject_level))
        ext.routes.register(
            ext.RouteSet("samples", "trialdesk.samples.urls", "trialdesk.samples.api", order=88)
        )
        ext.scoping_cases.register("trialdesk.samples.tests.scoping")
