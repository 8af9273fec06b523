"""Action items: what a finding (or a signal's triage) asks someone at the site or the CRA to do, by
when; resolved by its owner, verified and closed by the CRA, escalated to the CRM when overdue."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from trialdesk.core.models import RegulatedRecord, RoleAssignment
from trialdesk.core.roles import Role
from trialdesk.core.scoping import scope_filter
from trialdesk.monitoring.models.choices import ActionStatus, OwnerParty

NO_OWNER = "Name who does it: someone at the site or the CRA."
NO_DUE_DATE = "Give the date by which it is to be done."


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A site's action items are shown to its staff too: they resolve them."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class ActionItem(RegulatedRecord):
    """One thing to be done at a site by a named owner by a due date, raised at a visit (from a
    finding) or by a signal's triage; it carries over to the site's next visit report until closed."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    report = models.ForeignKey(
        "monitoring.VisitReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
        editable=False,
        help_text="The report of the visit where it was raised.",
    )
    finding = models.ForeignKey(
        "monitoring.Finding", null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    signal = models.ForeignKey(
        "monitoring.Signal", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_party = models.CharField(
        "owner is", max_length=4, choices=OwnerParty.choices, default=OwnerParty.SITE
    )
    raised_on = models.DateField()
    due_on = models.DateField("due date", null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    resolution = models.TextField(blank=True, help_text="What was done.")
    resolved_on = models.DateField(null=True, blank=True, editable=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    closed_on = models.DateField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_action_item_number")]
        indexes = [models.Index(fields=["study_site", "status"]), models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"AI-{self.number:04d}" if self.number else "New action item"

    def clean(self) -> None:
        from trialdesk.monitoring.rules import actions as rules

        errors = {}
        if not self.owner_id:
            errors["owner"] = NO_OWNER
        elif self.study_site_id and not _works_at(self.owner_id, self.study_site):
            errors["owner"] = "This person holds no role at this site or on this study's team."
        if self.due_on is None:
            errors["due_on"] = NO_DUE_DATE
        else:
            visit_on = self.report.visit.visit_on if self.report_id else None
            problem = rules.due_date_problem(due_on=self.due_on, visit_on=visit_on, raised_on=self.raised_on)
            if problem:
                errors["due_on"] = problem
        if self.finding_id and self.finding.study_site_id != self.study_site_id:
            errors["finding"] = "This finding is of another site."
        if errors:
            raise ValidationError(errors)


def _works_at(user_id: int, study_site) -> bool:
    """Whether the user holds a role at the site (its staff and monitors) or the study's CRM role."""
    return RoleAssignment.objects.filter(
        Q(study_site=study_site) | Q(study_id=study_site.study_id, role=Role.CRM), user_id=user_id
    ).exists()
