"""The study budget and its versions, each site's fee schedule, and dated exchange rates."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.finance.models.fields import currency_field, money_field, percent_field, rate_field
from trialdesk.finance.permissions import finance_filter
from trialdesk.finance.rules import documents, earnings, money, rates
from trialdesk.interop.json_documents import DocumentError


class BudgetCategory(models.TextChoices):
    SITES = "sites", "Sites"
    VENDORS = "vendors", "Vendors"
    PASS_THROUGH = "pass_through", "Pass-through"
    IP = "ip", "Investigational product"
    MONITORING_TRAVEL = "monitoring_travel", "Monitoring travel"
    OTHER = "other", "Other"


class StudyFinanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(finance_filter(user, study_path="study"))


class BudgetVersion(RegulatedRecord):
    """One version of a study's budget: an amount per category in the study's one currency.

    The latest version is the budget in force. A version after the first says why it was made, and may
    name the protocol version (amendment) that brought it: it then appears in that amendment's checklist.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="budget_versions")
    number = models.PositiveIntegerField()
    currency = currency_field()
    amounts = models.JSONField(default=dict, help_text="{category: amount} in the study currency.")
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_versions",
        help_text="The amendment that brought this budget amendment, if any.",
    )
    effective_on = models.DateField("effective from")
    note = models.TextField(blank=True)

    objects = StudyFinanceQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "number"],
                name="unique_budget_version_number",
                violation_error_message="This study already has a budget version with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"Budget v{self.number}"

    def amount_of(self, category: str) -> Decimal:
        return Decimal(str(self.amounts.get(category, "0")))

    @property
    def total(self) -> Decimal:
        return sum((self.amount_of(c) for c in BudgetCategory.values), money.ZERO)

    def category_rows(self) -> list[tuple[str, str, Decimal]]:
        return [(c.value, c.label, self.amount_of(c.value)) for c in BudgetCategory]

    def clean(self) -> None:
        errors = {}
        problem = money.currency_problem(self.currency)
        if problem:
            errors["currency"] = problem
        if not isinstance(self.amounts, dict):
            errors["amounts"] = "Give the budget as an amount per category."
        else:
            for category, value in self.amounts.items():
                if category not in BudgetCategory.values:
                    errors["amounts"] = (
                        f"{category} is not a budget category ({', '.join(BudgetCategory.values)})."
                    )
                    break
                try:
                    money.parse_amount(value)
                except ValueError as error:
                    errors[category if category in BudgetCategory.values else "amounts"] = str(error)
        if self.protocol_version_id and self.protocol_version.study_id != self.study_id:
            errors["protocol_version"] = "This protocol version belongs to another study."
        if errors:
            raise ValidationError(errors)


class SiteFinanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(finance_filter(user, study_path="study", site_path="study_site"))


class FeeSchedule(RegulatedRecord):
    """A site's payment terms from its clinical trial agreement, in effect from `effective_on`.

    An amendment to the agreement is a new schedule from its date: work done before it stays paid at the
    old fees; correcting a schedule in place re-prices the work it covers (payables get reversal lines).
    Fees are before overhead. `invoiceable` items are paid on invoice; an item of null is paid at cost.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="fee_schedules")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="fee_schedules")
    effective_on = models.DateField("effective from")
    currency = currency_field("site currency")
    overhead_percent = percent_field("overhead %", default=Decimal(0))
    holdback_percent = percent_field(
        "holdback %", default=Decimal(0), help_text="Withheld from visit, procedure and screen-failure lines."
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)", default=30, help_text="Days from earning (or invoice) to payment."
    )
    startup_fee = money_field("start-up fee", null=True, blank=True)
    closeout_fee = money_field("close-out fee", null=True, blank=True)
    screen_failure_fee = money_field("screen-failure fee", null=True, blank=True)
    screen_failure_max_paid = models.PositiveIntegerField(
        "screen failures paid at most", null=True, blank=True, help_text="Empty: no cap."
    )
    visit_fees = models.JSONField(default=dict, blank=True, help_text="{visit code: fee}")
    procedure_fees = models.JSONField(default=dict, blank=True, help_text="{procedure code: fee}")
    invoiceable = models.JSONField(
        "invoiceable items", default=dict, blank=True, help_text="{item code: fee, or null for at cost}"
    )
    note = models.TextField(blank=True)

    objects = SiteFinanceQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "-effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["study_site", "effective_on"],
                name="unique_fee_schedule_per_site_and_day",
                violation_error_message="This site already has a fee schedule from this date.",
            )
        ]

    def __str__(self) -> str:
        return f"Fee schedule of {self.study_site} from {self.effective_on}"

    def as_document(self) -> dict:
        """The schedule in the form of `trialdesk finance earnings --budget` (amounts as text)."""
        plain = lambda value: None if value is None else f"{Decimal(value):f}"  # noqa: E731
        return {
            "currency": self.currency,
            "overhead_percent": plain(self.overhead_percent),
            "holdback_percent": plain(self.holdback_percent),
            "visit_fees": self.visit_fees,
            "procedure_fees": self.procedure_fees,
            "screen_failure": {
                "fee": plain(self.screen_failure_fee),
                "max_paid": self.screen_failure_max_paid,
            },
            "startup_fee": plain(self.startup_fee),
            "closeout_fee": plain(self.closeout_fee),
            "invoiceable": self.invoiceable,
        }

    def to_rules(self) -> earnings.FeeSchedule:
        return documents.parse_fee_schedule(self.as_document(), root="", at_cost=True)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        try:
            self.to_rules()
        except DocumentError as error:
            for problem in error.problems:
                first = problem.path.split(".")[0].split("[")[0]
                field = {"screen_failure": "screen_failure_fee"}.get(first, first)
                if "max_paid" in problem.path:
                    field = "screen_failure_max_paid"
                message = problem.message[:1].upper() + problem.message[1:]
                where = problem.path.split("[", 1)[1].rstrip("]") if "[" in problem.path else ""
                errors.setdefault(field, []).append(f"{where}: {message}" if where else message)
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors.setdefault("study_site", []).append("This site belongs to another study.")
        if errors:
            raise ValidationError(errors)


class ExchangeRateQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Reference data, not trial data: every signed-in person may read the rates.
        return self if user.is_authenticated and user.is_active else self.none()


class ExchangeRate(RegulatedRecord):
    """1 `base` = `rate` `quote` on `on` (a reference rate, entered or imported)."""

    base = currency_field("base currency")
    quote = currency_field("quote currency")
    on = models.DateField("rate date")
    rate = rate_field()
    source = models.CharField(
        max_length=200, blank=True, help_text="e.g. ECB euro foreign exchange reference rates"
    )

    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        ordering = ["base", "quote", "-on"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "on"],
                name="unique_exchange_rate_per_day",
                violation_error_message="There is already a rate for this pair on this day.",
            )
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} on {self.on}"

    def audit_study_id(self) -> None:
        return None

    def clean(self) -> None:
        problems = rates.rate_problems(base=self.base, quote=self.quote, rate=self.rate)
        if problems:
            raise ValidationError(dict(problems))
