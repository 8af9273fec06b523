"""App configuration for finance (issue 15): the Finance tab, the site page's payments panel, the portfolio's
budget burn, the budget health signal, "my work" for finance staff, the budget amendment item of the
amendment checklist, the demo's budgets and payments, and which finance records are subject-level."""

from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "trialdesk.finance"
    label = "finance"

    def ready(self):
        from trialdesk.finance import registrations

        registrations.register_all()
