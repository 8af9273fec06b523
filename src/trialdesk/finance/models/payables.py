"""What sites earn and are paid: procedure records, payable lines, payment runs and site invoices."""

from django.core.exceptions import ValidationError
from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.finance.models.budgets import SiteFinanceQuerySet
from trialdesk.finance.models.fields import currency_field, money_field, rate_field
from trialdesk.finance.rules import earnings, money


class ProcedureRecord(RegulatedRecord):
    """A procedure done for a participant that the fee schedule may pay for on its own (an optional MRI,
    an unscheduled assessment), recorded by the site."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="procedure_records")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="procedure_records"
    )
    participant = models.ForeignKey(
        "subjects.Participant", on_delete=models.PROTECT, related_name="procedure_records"
    )
    code = models.CharField(max_length=40, help_text="The procedure's code in the fee schedule, e.g. MRI.")
    done_on = models.DateField("date done")
    note = models.TextField(blank=True)

    objects = SiteFinanceQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.code} of {self.participant} on {self.done_on}"

    def clean(self) -> None:
        errors = {}
        if (
            self.participant_id
            and self.study_site_id
            and self.participant.study_site_id != self.study_site_id
        ):
            errors["participant"] = "This participant is seen at another site."
        if self.done_on and self.study_site_id and self.done_on > self.study_site.local_today():
            errors["done_on"] = "The procedure date is in the future."
        if errors:
            raise ValidationError(errors)


class RunStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class PaymentRun(RegulatedRecord):
    """A payment to one site: payable lines selected by finance, approved with an electronic signature,
    then marked paid with the bank's payment reference. Its remittance advice lists the lines."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="payment_runs")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="payment_runs")
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.DRAFT)
    currency = currency_field()
    total = money_field(default=0)
    line_count = models.PositiveIntegerField(default=0)
    approved_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    signature_meaning = models.CharField(max_length=200, blank=True, editable=False)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)

    objects = SiteFinanceQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "number"],
                name="unique_payment_run_number",
                violation_error_message="This study already has a payment run with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"Payment run {self.number}"

    @property
    def total_shown(self) -> str:
        return money.shown(self.total, self.currency)


class PayableLine(RegulatedRecord):
    """What one piece of work earned a site, generated from the work done (never entered by hand).

    `source` names the record it comes from ("visit:42"); lines are only ever added: a correction of the
    work adds a reversal line (the opposite amounts, `reverses` pointing at the line it cancels) and, when
    the work still earns, a new line. Amounts are in the site's currency; `study_payable` is `payable` in
    the study currency at the rate of the day earned (`rate`, `rate_on`; empty when both are the same),
    `study_earned` likewise for fee + overhead.
    """

    # Their own indexes would repeat the first column of (study, earned_on), (study, due_on) and
    # (study_site, source): one index fewer to write per line.
    study = models.ForeignKey(
        "studies.Study", on_delete=models.PROTECT, related_name="payable_lines", db_index=False
    )
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="payable_lines", db_index=False
    )
    source = models.CharField(max_length=80)
    kind = models.CharField(
        max_length=20, choices=[(k, earnings.KIND_LABELS[k]) for k in earnings.LINE_KINDS]
    )
    code = models.CharField(max_length=40, blank=True)
    participant = models.CharField("participant or screening number", max_length=40, blank=True)
    earned_on = models.DateField("earned on")
    due_on = models.DateField("due on")
    currency = currency_field()
    fee = money_field()
    overhead = money_field()
    holdback = money_field()
    payable = money_field()
    study_currency = currency_field("study currency")
    rate = rate_field(null=True, blank=True)
    rate_on = models.DateField(null=True, blank=True)
    study_earned = money_field("earned in study currency")
    study_payable = money_field("payable in study currency")
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    # Not indexed: nothing looks lines up by generation (the audit event lists their ids), and each
    # index costs every line of a large generation.
    generation = models.CharField(max_length=40, help_text="The generation run that added the line.")
    payment_run = models.ForeignKey(
        PaymentRun, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )

    objects = SiteFinanceQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "earned_on", "id"]
        indexes = [
            models.Index(fields=["study_site", "source"]),
            models.Index(fields=["study", "earned_on"]),
            models.Index(fields=["study", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code} {self.participant} {self.earned_on}".replace("  ", " ")

    def shown(self, field: str) -> str:
        return money.shown(getattr(self, field), self.currency)

    @property
    def earned(self):
        return self.fee + self.overhead


class InvoiceStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    DISPUTED = "disputed", "Disputed"


class SiteInvoice(RegulatedRecord):
    """A site's invoice for an invoiceable item of its fee schedule (ethics fees, pharmacy set-up,
    archiving, pass-through costs): approved, it earns a payable line; disputed, it says why."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="site_invoices")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="site_invoices")
    number = models.CharField("invoice number", max_length=40)
    item_code = models.CharField(
        "item", max_length=40, help_text="The invoiceable item's code in the fee schedule."
    )
    description = models.CharField(max_length=200, blank=True)
    invoice_on = models.DateField("invoice date")
    amount = money_field()
    currency = currency_field()
    scheduled_amount = money_field(
        null=True, blank=True, editable=False, help_text="The fee schedule's amount; empty for at cost."
    )
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.SUBMITTED)
    decision_reason = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True, editable=False)

    objects = SiteFinanceQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "-invoice_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study_site", "number"],
                name="unique_site_invoice_number",
                violation_error_message="This site already has an invoice with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    @property
    def matches_schedule(self) -> bool | None:
        """Whether the amount is the schedule's (None for an item paid at cost)."""
        return None if self.scheduled_amount is None else self.amount == self.scheduled_amount

    @property
    def amount_shown(self) -> str:
        return money.shown(self.amount, self.currency)


class PayableMonth(models.Model):
    """A site's payable lines summed by currency, kind, payment run, month earned and month due: what the
    finance overview reads instead of every line (a few thousand rows for 100,000 lines).

    Derived, not a record: `services.payables.refresh_months` rebuilds a site's rows from its lines in
    the transaction of every write that adds lines or puts them in a payment run (generation,
    `services.payments.create_payment_run`), so it never differs from the lines; a run's status and
    payment date are read from the run. Besides the sums, what the overview needs line by line is kept
    as counts: lines that pay something (`positive_*`: overdue once due and unpaid) and, of those, the
    lines that reverse nothing, with the sum of their earned dates as days since 1970-01-01
    (`paying_*`: the mean days from earned to paid). Amounts are exact integers of ten-thousandths of
    the currency (the lines' four decimals: 1234.5 EUR is 12345000), added up as integers and made a
    Decimal once per total (`selectors.line_summary`).
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="+")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.CASCADE, related_name="+")
    currency = currency_field()
    kind = models.CharField(max_length=20)
    payment_run = models.ForeignKey(
        PaymentRun, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(help_text="First day of the month the lines were earned.")
    due_month = models.DateField(help_text="First day of the month the lines fall due.")
    earned = models.BigIntegerField(help_text="Fee plus overhead, in ten-thousandths.")
    holdback = models.BigIntegerField(help_text="In ten-thousandths.")
    payable = models.BigIntegerField(help_text="In ten-thousandths.")
    study_earned = models.BigIntegerField(help_text="In ten-thousandths of the study currency.")
    study_payable = models.BigIntegerField(help_text="In ten-thousandths of the study currency.")
    positive_payable = models.BigIntegerField(help_text="In ten-thousandths.")
    positive_lines = models.PositiveIntegerField()
    paying_lines = models.PositiveIntegerField()
    paying_days = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["study", "study_site"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} of site #{self.study_site_id}"
