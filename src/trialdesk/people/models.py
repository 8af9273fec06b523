"""Records of the people app: training records, delegation-log entries and financial disclosures."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord, User
from trialdesk.core.scoping import scope_filter
from trialdesk.people import disclosure_law, rules
from trialdesk.people import interests as interest_rules


class SiteScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Rows without a site are study-wide: everyone on the study sees them.
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class TrainingKind(models.TextChoices):
    GCP = "gcp", "GCP certificate"
    PROTOCOL = "protocol", "Protocol training"
    SYSTEM = "system", "System training"


class TrainingRecord(RegulatedRecord):
    """One training a staff member completed for a study: a GCP certificate (with its expiry), training on
    one protocol version, or training on a system (EDC, IRT, Trialdesk).

    A record may name the study site where it was filed; training counts for the person on the whole
    study either way.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="training_records")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.CASCADE, related_name="training_records"
    )
    staff_member = models.ForeignKey(User, on_delete=models.PROTECT, related_name="training_records")
    kind = models.CharField(max_length=16, choices=TrainingKind.choices)
    title = models.CharField(max_length=200, blank=True, help_text="e.g. ICH E6(R3) GCP, EDC user training")
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_records",
        help_text="For a protocol training: the version trained on.",
    )
    completed_on = models.DateField("completion date")
    expires_on = models.DateField("expiry date", null=True, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    certificate_reference = models.CharField(max_length=100, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "staff_member", "kind", "-completed_on", "id"]
        indexes = [models.Index(fields=["study", "staff_member"])]

    def __str__(self) -> str:
        what = f"protocol v{self.protocol_version.number}" if self.protocol_version_id else self.title
        return f"{self.get_kind_display()} of {self.staff_member}" + (f" ({what})" if what else "")

    def clean(self) -> None:
        problems = rules.training_record_problems(
            kind=self.kind,
            completed_on=self.completed_on,
            expires_on=self.expires_on,
            has_protocol_version=self.protocol_version_id is not None,
        )
        if self.protocol_version_id and self.protocol_version.study_id != self.study_id:
            problems["protocol_version"] = "This protocol version belongs to another study."
        if self.study_site_id and self.study_site.study_id != self.study_id:
            problems["study_site"] = "This site belongs to another study."
        if problems:
            raise ValidationError(problems)

    def as_fact(self) -> rules.TrainingFact:
        return rules.TrainingFact(self.kind, self.completed_on, self.expires_on, self.protocol_version_id)


class DelegationEntry(RegulatedRecord):
    """One line of a site's delegation of authority log: a staff member, their role on the study, the
    tasks the principal investigator delegates to them, from when to when, and the PI's signature.

    The signature is an electronic signature (21 CFR 11.50) with the meaning "delegation approved":
    the PI re-entered their password; the signer and the UTC time are kept. An entry is never deleted:
    a delegation that stops gets its end date.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="delegation_entries")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="delegation_entries"
    )
    staff_member = models.ForeignKey(User, on_delete=models.PROTECT, related_name="delegation_entries")
    study_role = models.CharField(
        "role on the study", max_length=32, choices=list(rules.STUDY_ROLES.items()), default="other"
    )
    # blank=True so that an empty list reaches clean() and is refused with a message saying what to do.
    tasks = models.JSONField("delegated tasks", default=list, blank=True)
    starts_on = models.DateField("start date")
    ends_on = models.DateField("end date", null=True, blank=True)
    signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    meaning = models.CharField(max_length=40, blank=True)
    reauthenticated = models.BooleanField(default=False)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "staff_member", "starts_on", "id"]
        verbose_name_plural = "delegation entries"
        indexes = [models.Index(fields=["study_site", "staff_member"])]

    def __str__(self) -> str:
        return f"Delegation to {self.staff_member} at {self.study_site}"

    def clean(self) -> None:
        errors = {}
        if problem := rules.tasks_problem(self.tasks):
            errors["tasks"] = problem
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The end date is before the start date."
        if self.study_site_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        if errors:
            raise ValidationError(errors)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def in_force_on(self, day) -> bool:
        return rules.delegation_in_force(
            starts_on=self.starts_on, ends_on=self.ends_on, signed=self.is_signed, on=day
        )

    def task_labels(self) -> list[str]:
        return [rules.task_label(code) for code in self.tasks]


class FinancialDisclosure(RegulatedRecord):
    """A financial disclosure (21 CFR 54) collected from an investigator or sub-investigator at a site:
    for which occasion, when collected, and the interests disclosed (kind and amount band).

    A change is a new disclosure (occasion "update"); earlier ones stay as they were.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="financial_disclosures")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="financial_disclosures"
    )
    investigator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="financial_disclosures")
    occasion = models.CharField(max_length=20, choices=list(rules.OCCASIONS.items()))
    disclosed_on = models.DateField("date collected")
    has_interests = models.BooleanField("interests to disclose", default=False)
    interests = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "investigator", "disclosed_on", "id"]
        indexes = [models.Index(fields=["study_site", "investigator"])]

    def __str__(self) -> str:
        return f"Financial disclosure of {self.investigator} ({rules.OCCASIONS.get(self.occasion, '')})"

    def clean(self) -> None:
        errors = {}
        # A new disclosure takes the current, non-overlapping bands; one on record keeps its old band.
        if problems := interest_rules.interests_problems(self.interests, new=self._state.adding):
            errors["interests"] = problems
        elif self.has_interests and not self.interests:
            errors["interests"] = "List the interests disclosed (kind and amount band)."
        elif not self.has_interests and self.interests:
            errors["has_interests"] = "Interests are listed: tick that there are interests to disclose."
        if self.study_site_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        if errors:
            raise ValidationError(errors)

    def interest_rows(self) -> list[tuple[str, str, str, disclosure_law.Classification]]:
        """(kind, band, description, 21 CFR 54.2 classification) of each interest, as the pages show them."""
        return [
            (
                gettext(rules.INTEREST_KINDS[i["kind"]]),
                gettext(disclosure_law.ALL_AMOUNT_BANDS[i["amount_band"]])
                + {True: gettext(", publicly traded"), False: gettext(", not publicly traded")}.get(
                    i.get("publicly_traded"), ""
                ),
                i.get("description", ""),
                classification,
            )
            for i, classification in zip(
                self.interests, interest_rules.classify_interests(self.interests), strict=True
            )
        ]

    @property
    def reportable(self) -> bool | None:
        """Whether it holds an interest 21 CFR 54.2 makes the sponsor disclose (None: not known)."""
        return disclosure_law.disclosure_reportable(interest_rules.classify_interests(self.interests))
