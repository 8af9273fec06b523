"""The report sections Trialdesk ships, one module per area, registered in core.extensions.report_sections
by reporting's AppConfig.ready() (an app may register sections of its own the same way).

Each section reads only through the reader's scope (`visible_to`, `countable_by`-style aggregates, the
apps' `can_*` predicates) and returns a core.extensions.ReportBlock, or None to be left out.
"""

from trialdesk.core import extensions as ext


def register() -> None:
    # By dotted path: the sections draw charts (altair) and count KRIs (scipy), which a command that makes
    # no report need not import at start-up (trialdesk.cli).
    def area(name: str) -> tuple:
        return ext.lazy(f"{__name__}.{name}.study_block"), ext.lazy(f"{__name__}.{name}.portfolio_block")

    def study_only(name: str) -> tuple:
        return ext.lazy(f"{__name__}.{name}.study_block"), None

    for section in (
        ext.ReportSection("health", "Health", *area("health"), order=10),
        ext.ReportSection("enrollment", "Enrollment", *area("enrollment"), order=20),
        ext.ReportSection("sites", "Site activation", *area("sites"), order=30),
        ext.ReportSection("milestones", "Milestones", *area("milestones"), order=40),
        ext.ReportSection("safety", "Safety", *area("safety"), order=50),
        ext.ReportSection("regulatory", "Regulatory status", *study_only("regulatory"), order=60),
        ext.ReportSection("monitoring", "Open issues and risks", *study_only("monitoring"), order=70),
        ext.ReportSection("kris", "Key risk indicators", *study_only("kris"), order=75),
        ext.ReportSection("finance", "Finance", *area("finance"), order=80),
    ):
        ext.report_sections.register(section)
