"""App configuration for supply: its study tab and site panel, pages and API, "my work" items, the
participant page's link to their kits, the masking of kit types' arms on the audit trail, the demo's IP,
and which of its records are subject-level (dispensing: who got which kit)."""

from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "trialdesk.supply"
    label = "supply"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.supply import demo, permissions, tabs, work

        ext.study_sections.register(tabs.SUPPLY_SECTION)
        ext.site_panels.register(tabs.SITE_PANEL)
        for source in work.SOURCES:
            ext.my_work.register(source)
        ext.participant_links.register(ext.PageLink("supply", "Kits", "supply_participant", 30))
        ext.audit_masks.register(permissions.mask_kit_type_arms)
        for object_type, label, subject_level in (
            ("supply.product", "IP product", False),
            ("supply.kittype", "Kit type", False),
            ("supply.visitdispensing", "Visit dispensing", False),
            ("supply.lot", "IP lot", False),
            ("supply.depot", "Depot", False),
            ("supply.resupplyplan", "Resupply plan", False),
            ("supply.shippinglane", "Shipping lane", False),
            ("supply.kit", "Kit", False),
            ("supply.shipment", "IP shipment", False),
            ("supply.excursion", "Temperature excursion", False),
            ("supply.destruction", "IP destruction", False),
            ("supply.dispensing", "Kit dispensing", True),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level))
        ext.demo_loaders.register(
            ext.DemoLoader("supply", "Investigational product and its shipments", demo.load, ("safety",))
        )
        ext.routes.register(ext.RouteSet("supply", "trialdesk.supply.urls", "trialdesk.supply.api", order=88))
        ext.scoping_cases.register("trialdesk.supply.tests.scoping")
