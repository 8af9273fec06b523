"""Start-up and close-out: items ticked by hand (with who, when and the evidence), the study's own
checklist items, signed overrides of the activation and closure gates, and the study's cycle-time targets.

Items that another app records (a fee schedule, an approved initiation visit report) are never stored
here: the tracker reads them from their own records (selectors)."""

from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.startup import rules


class StudyScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class SiteScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


GATE_CHOICES = list(rules.GATE_LABELS.items())


class ChecklistTick(RegulatedRecord):
    """An item of a site's start-up or close-out checklist that no record in Trialdesk can show, ticked
    by hand: the named person who did it, the day, and the evidence (a document, a reference)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="checklist_ticks"
    )
    gate = models.CharField(max_length=12, choices=GATE_CHOICES)
    item = models.CharField(max_length=80)
    done_on = models.DateField("done on")
    done_by = models.CharField("done by", max_length=200, help_text="The person who did it, by name.")
    evidence = models.TextField(help_text="Where it is shown: the document, its reference or location.")
    retain_until = models.DateField(
        "retain until", null=True, blank=True, help_text="Archiving: the end of the retention period."
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "gate", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["study_site", "gate", "item"],
                name="unique_checklist_tick",
                violation_error_message="This item is already ticked at this site.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} at {self.study_site}"


class StudyChecklistItem(RegulatedRecord):
    """An item the study adds to every site's checklist (ticked by hand), or a standard item the study
    marks not required (`required` False with the standard item's key)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    gate = models.CharField(max_length=12, choices=GATE_CHOICES)
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=200, blank=True)
    required = models.BooleanField(default=True)
    citation = models.CharField(max_length=200, blank=True, help_text="Where the need comes from.")

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "gate", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "gate", "key"],
                name="unique_study_checklist_item",
                violation_error_message="The study already has an item with this key.",
            )
        ]

    def __str__(self) -> str:
        return self.label or self.key


class GateOverride(RegulatedRecord):
    """The CRM's signed decision to let a site (or, with no site, every site of the study) pass a gate with
    items still pending: the reason, what was pending when signed, and the electronic signature."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.PROTECT, related_name="gate_overrides"
    )
    gate = models.CharField(max_length=12, choices=list(rules.OVERRIDE_GATE_LABELS.items()))
    reason = models.TextField()
    pending = models.JSONField(default=list, blank=True, help_text="The items pending when it was signed.")
    signed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", editable=False)
    signed_at = models.DateTimeField(editable=False)
    signature_meaning = models.CharField(max_length=200, editable=False)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-signed_at"]

    def __str__(self) -> str:
        where = self.study_site or "every site"
        return f"{rules.OVERRIDE_GATE_LABELS[self.gate]} override for {where}"


class CycleTarget(RegulatedRecord):
    """The study's target for one start-up interval (days), against which its sites are measured."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    interval = models.CharField(max_length=40, choices=list(rules.INTERVAL_LABELS.items()))
    days = models.PositiveIntegerField()

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "interval"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "interval"],
                name="unique_cycle_target",
                violation_error_message="The study already has a target for this interval.",
            )
        ]

    def __str__(self) -> str:
        return f"{rules.INTERVAL_LABELS[self.interval]}: {self.days} days"
