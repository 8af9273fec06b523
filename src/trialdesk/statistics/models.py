"""Planning assumptions: a sample-size calculation saved to a study, with its inputs and its answer."""

from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter


class PlanningAssumptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class PlanningAssumption(RegulatedRecord):
    """A study's sample-size assumption (e.g. "Primary endpoint"): the design, its inputs and the result.

    The result is what Trialdesk's calculator computed from the parameters when the record was saved,
    method and source included, so the protocol's sample-size section can be traced to it.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="planning_assumptions")
    label = models.CharField(max_length=200, help_text='What the assumption is for, e.g. "Primary endpoint".')
    design = models.CharField(max_length=40)
    parameters = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    objects = PlanningAssumptionQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.design})"
