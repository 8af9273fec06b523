"""What finance adds to the shared pages, rules and commands (core.extensions), called from FinanceConfig."""


def register_all() -> None:
    from trialdesk.core import extensions as ext
    from trialdesk.finance import amendments, earning, health, portfolio, work

    # By dotted path: the tabs draw charts (altair) and the demo builds budgets, which a command that
    # shows neither should not import at start-up (trialdesk.cli).
    tabs = "trialdesk.finance.tabs"

    ext.study_sections.register(
        ext.StudySection(
            "finance", "Finance", "finance/tabs/finance.html", ext.lazy(f"{tabs}.finance_tab"), 900, "Finance"
        )
    )
    ext.site_panels.register(
        ext.Panel("finance", "finance/panels/site.html", ext.lazy(f"{tabs}.site_panel"), 60)
    )
    ext.portfolio_columns.register(portfolio.BUDGET_BURN)
    ext.health_signals.register(health.BUDGET)
    ext.health_thresholds.register(health.RED_OVERRUN)
    for source in work.SOURCES:
        ext.my_work.register(source)
    ext.amendment_checklist_items.register(amendments.FEE_SCHEDULE_ITEM)
    ext.record_listeners.register(earning.LISTENER)
    ext.demo_loaders.register(
        ext.DemoLoader(
            "finance",
            "Budgets, fee schedules and payments",
            ext.lazy("trialdesk.finance.demo.load"),
            ("integrations", "forecasts"),
        )
    )
    for object_type, label, subject_level in (
        ("finance.budgetversion", "Budget version", False),
        ("finance.feeschedule", "Fee schedule", False),
        ("finance.exchangerate", "Exchange rate", False),
        # A payable line names the participant (or screening number) whose visit, procedure or screen
        # failure it pays; a procedure record is about one participant.
        ("finance.payableline", "Payable line", True),
        ("finance.procedurerecord", "Procedure record", True),
        ("finance.paymentrun", "Payment run", False),
        ("finance.siteinvoice", "Site invoice", False),
        ("finance.vendorcontract", "Vendor contract", False),
        ("finance.contractmilestone", "Contract milestone", False),
        ("finance.changeorder", "Change order", False),
        ("finance.performanceindicator", "Performance indicator", False),
        ("finance.vendorinvoice", "Vendor invoice", False),
    ):
        ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level))
    ext.routes.register(ext.RouteSet("finance", "trialdesk.finance.urls", "trialdesk.finance.api", order=95))
    ext.scoping_cases.register("trialdesk.finance.tests.scoping")
