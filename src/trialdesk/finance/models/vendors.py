"""Vendor and CRO contracts: milestones with deliverables, change orders, performance indicators, invoices."""

from django.core.exceptions import ValidationError
from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.finance.models.budgets import StudyFinanceQuerySet
from trialdesk.finance.models.fields import currency_field, money_field
from trialdesk.finance.models.payables import InvoiceStatus
from trialdesk.finance.rules import money


class VendorService(models.TextChoices):
    CRO = "cro", "CRO"
    CENTRAL_LAB = "central_lab", "Central laboratory"
    IMAGING = "imaging", "Imaging"
    IRT = "irt", "IRT"
    ECOA = "ecoa", "eCOA"
    COURIER = "courier", "Courier"
    OTHER = "other", "Other"


class VendorContract(RegulatedRecord):
    """A contract with a vendor or CRO for a study: its scope, value and currency."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="vendor_contracts")
    vendor = models.CharField(max_length=200)
    service = models.CharField(max_length=16, choices=VendorService.choices)
    reference = models.CharField("contract reference", max_length=60, blank=True)
    scope = models.TextField(blank=True)
    currency = currency_field()
    value = money_field("contract value")
    start_on = models.DateField("start date")
    end_on = models.DateField("end date", null=True, blank=True)

    objects = StudyFinanceQuerySet.as_manager()

    class Meta:
        ordering = ["study", "vendor", "id"]

    def __str__(self) -> str:
        return f"{self.vendor} ({self.get_service_display()})"

    def clean(self) -> None:
        errors = {}
        problem = money.currency_problem(self.currency)
        if problem:
            errors["currency"] = problem
        if self.value is not None and self.value < 0:
            errors["value"] = "A contract value cannot be negative."
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = "The contract cannot end before it starts."
        if errors:
            raise ValidationError(errors)


class ContractPartQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(contract__in=VendorContract.objects.visible_to(user))


class ContractMilestone(RegulatedRecord):
    """A payment milestone of a contract: a deliverable due by a date, worth an amount once delivered."""

    contract = models.ForeignKey(VendorContract, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    deliverable = models.TextField(blank=True)
    due_on = models.DateField("due date")
    amount = money_field()
    delivered_on = models.DateField("delivered on", null=True, blank=True)

    objects = ContractPartQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "due_on", "id"]

    def __str__(self) -> str:
        return self.name

    def audit_study_id(self) -> int:
        return self.contract.study_id

    def clean(self) -> None:
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": "A milestone amount cannot be negative."})


class ChangeOrder(RegulatedRecord):
    """A change to a contract's value (negative for a reduction), with its reason."""

    contract = models.ForeignKey(VendorContract, on_delete=models.CASCADE, related_name="change_orders")
    number = models.CharField(max_length=20)
    amount = money_field(help_text="Change to the contract value; negative for a reduction.")
    reason = models.TextField()
    approved_on = models.DateField("approved on")

    objects = ContractPartQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "approved_on", "id"]

    def __str__(self) -> str:
        return f"Change order {self.number}"

    def audit_study_id(self) -> int:
        return self.contract.study_id


class PerformanceIndicator(RegulatedRecord):
    """A contract's performance indicator (site activation on time, query turnaround…) with its target."""

    contract = models.ForeignKey(VendorContract, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. %, days")
    target = models.DecimalField(max_digits=12, decimal_places=2)
    actual = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    higher_is_better = models.BooleanField(default=True)

    objects = ContractPartQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def audit_study_id(self) -> int:
        return self.contract.study_id

    @property
    def met(self) -> bool | None:
        if self.actual is None:
            return None
        return self.actual >= self.target if self.higher_is_better else self.actual <= self.target


class VendorInvoice(RegulatedRecord):
    """A vendor's invoice against its contract (and one of its milestones): approved or disputed."""

    contract = models.ForeignKey(VendorContract, on_delete=models.PROTECT, related_name="invoices")
    milestone = models.ForeignKey(
        ContractMilestone, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField("invoice number", max_length=40)
    invoice_on = models.DateField("invoice date")
    amount = money_field()
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.SUBMITTED)
    decision_reason = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True, editable=False)

    objects = ContractPartQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "-invoice_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="unique_vendor_invoice_number",
                violation_error_message="This contract already has an invoice with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    def audit_study_id(self) -> int:
        return self.contract.study_id

    def clean(self) -> None:
        errors = {}
        if self.amount is not None and self.amount < 0:
            errors["amount"] = "An invoice amount cannot be negative."
        if self.milestone_id and self.contract_id and self.milestone.contract_id != self.contract_id:
            errors["milestone"] = "This milestone belongs to another contract."
        if errors:
            raise ValidationError(errors)
