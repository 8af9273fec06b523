"""App configuration for documents (eTMF): the Documents tab and the demo's essential documents."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "trialdesk.documents"
    label = "documents"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.documents import demo, health, search, tabs, work

        ext.study_sections.register(
            ext.StudySection(
                "documents",
                "Documents",
                "documents/tabs/documents.html",
                tabs.documents_tab,
                500,
                "Regulatory",
            )
        )
        ext.health_signals.register(health.DOCUMENTS)
        ext.my_work.register(work.DOCUMENTS)
        ext.demo_loaders.register(
            ext.DemoLoader("documents", "Essential documents", demo.load, ("people_records",))
        )
        for object_type, label in (
            ("documents.tmfprofile", "TMF profile"),
            ("documents.document", "Document"),
            ("documents.documentversion", "Document version"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.search_sources.register(search.DOCUMENTS)
        ext.routes.register(
            ext.RouteSet("documents", "trialdesk.documents.urls", "trialdesk.documents.api", order=100)
        )
        ext.scoping_cases.register("trialdesk.documents.tests.scoping")
