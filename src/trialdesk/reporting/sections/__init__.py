"""The report sections Trialdesk ships, one module per area, registered in core.extensions.report_sections
by reporting's AppConfig.ready() (an app may register sections of its own the same way).

Each section reads only through the reader's scope (`visible_to`, `countable_by`-style aggregates, the
apps' `can_*` predicates) and returns a core.extensions.ReportBlock, or None to be left out.
"""

from trialdesk.core import extensions as ext


def register() -> None:
    from trialdesk.reporting.sections import (
        enrollment,
        finance,
        health,
        kris,
        milestones,
        monitoring,
        regulatory,
        safety,
        sites,
    )

    for section in (
        ext.ReportSection("health", "Health", health.study_block, health.portfolio_block, order=10),
        ext.ReportSection("enrollment", "Enrollment", enrollment.study_block, enrollment.portfolio_block, 20),
        ext.ReportSection("sites", "Site activation", sites.study_block, sites.portfolio_block, order=30),
        ext.ReportSection("milestones", "Milestones", milestones.study_block, milestones.portfolio_block, 40),
        ext.ReportSection("safety", "Safety", safety.study_block, safety.portfolio_block, order=50),
        ext.ReportSection("regulatory", "Regulatory status", regulatory.study_block, None, order=60),
        ext.ReportSection("monitoring", "Open issues and risks", monitoring.study_block, None, order=70),
        ext.ReportSection("kris", "Key risk indicators", kris.study_block, None, order=75),
        ext.ReportSection("finance", "Finance", finance.study_block, finance.portfolio_block, order=80),
    ):
        ext.report_sections.register(section)
