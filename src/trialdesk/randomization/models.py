"""A study's randomization scheme, its list of slots, the allocations made, and who may see them."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trialdesk.core.models import RegulatedRecord, User
from trialdesk.core.scoping import scope_filter
from trialdesk.randomization import rules


class Method(models.TextChoices):
    PERMUTED_BLOCKS = "permuted_blocks", "Stratified permuted blocks"
    MINIMIZATION = "minimization", "Pocock–Simon minimization"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"


class Measure(models.TextChoices):
    RANGE = "range", "Range"
    VARIANCE = "variance", "Variance"


class StudyScopedQuerySet(models.QuerySet):
    """Records that belong to a study as a whole."""

    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class SiteScopedQuerySet(models.QuerySet):
    """Records of one participant: site staff see only their own sites'."""

    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site", subject_level=True))


class RandomizationScheme(RegulatedRecord):
    """How a study assigns arms: the arms and ratio, the method and its settings; locked once active.

    `arms` is a snapshot of the study's arms taking part, ``[{"code": "A", "ratio": 2}, …]``, refreshed
    from the arms' allocation ratios when the scheme is activated. `factors` lists the stratification or
    minimization factors, ``[{"name": "sex", "levels": ["M", "F"], "weight": 1.0}, …]`` (the weight only
    matters to minimization). The seed makes the block list, and minimization's coin, reproducible: it
    is shown only to people with unblinded access.
    """

    study = models.OneToOneField(
        "studies.Study", on_delete=models.CASCADE, related_name="randomization_scheme"
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    status = models.CharField(max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    arms = models.JSONField(default=list)
    factors = models.JSONField(default=list, blank=True)
    block_sizes = models.JSONField(default=list, blank=True)
    per_stratum = models.PositiveIntegerField(
        "slots per stratum", null=True, blank=True, validators=[MaxValueValidator(rules.MAX_PER_STRATUM)]
    )
    seed = models.BigIntegerField(validators=[MinValueValidator(0), MaxValueValidator(rules.MAX_SEED)])
    measure = models.CharField(max_length=10, choices=Measure.choices, default=Measure.RANGE)
    p_preferred = models.FloatField(
        "probability of the preferred arm",
        default=0.8,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    site_is_factor = models.BooleanField("site is a factor", default=False)
    site_weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.0)])
    activated_at = models.DateTimeField(null=True, blank=True)
    list_sha256 = models.CharField("SHA-256 of the list", max_length=64, blank=True)

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study"]

    def __str__(self) -> str:
        return f"Randomization scheme of {self.study}"

    @property
    def is_active(self) -> bool:
        return self.status == SchemeStatus.ACTIVE

    def arm_codes(self) -> list[str]:
        return [arm["code"] for arm in self.arms]

    def ratio(self) -> list[int]:
        return [arm["ratio"] for arm in self.arms]

    def ratio_label(self) -> str:
        return ":".join(str(part) for part in self.ratio())

    def clean(self) -> None:
        problems = rules.scheme_problems(
            method=self.method,
            arms=self.arms,
            factors=self.factors,
            block_sizes=self.block_sizes,
            per_stratum=self.per_stratum,
            p_preferred=self.p_preferred,
            site_is_factor=self.site_is_factor,
            site_weight=self.site_weight,
        )
        if problems:
            raise ValidationError(problems)


class RandomizationSlotQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="scheme__study"))


class RandomizationSlot(models.Model):
    """One line of a permuted-block list: the `sequence`-th participant of `stratum` gets `arm`.

    Generated all at once when the scheme is activated (the list's hash is on the audit trail) and
    never changed afterwards except to record who used the slot and when.
    """

    scheme = models.ForeignKey(RandomizationScheme, on_delete=models.CASCADE, related_name="slots")
    stratum = models.CharField(max_length=255)
    sequence = models.PositiveIntegerField()
    block = models.PositiveIntegerField()
    block_size = models.PositiveSmallIntegerField()
    arm = models.ForeignKey("studies.Arm", on_delete=models.PROTECT, related_name="+")
    used_by = models.OneToOneField(
        "subjects.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="randomization_slot",
    )
    used_at = models.DateTimeField(null=True, blank=True)

    objects = RandomizationSlotQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "stratum", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "stratum", "sequence"], name="unique_slot_in_stratum")
        ]

    def __str__(self) -> str:
        return f"{self.stratum} #{self.sequence}"


class Allocation(RegulatedRecord):
    """The arm a participant was randomized to; concealed from everyone without unblinded access.

    `arm_code` repeats the arm's code so the audit trail names it; the trail's views mask it (and the
    slot and scores, which could betray it) for blinded readers.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="allocations")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="allocations")
    participant = models.OneToOneField(
        "subjects.Participant", on_delete=models.PROTECT, related_name="allocation"
    )
    scheme = models.ForeignKey(RandomizationScheme, on_delete=models.PROTECT, related_name="allocations")
    arm = models.ForeignKey("studies.Arm", on_delete=models.PROTECT, related_name="allocations")
    arm_code = models.CharField(max_length=20)
    slot = models.OneToOneField(
        RandomizationSlot, null=True, blank=True, on_delete=models.PROTECT, related_name="allocation"
    )
    stratum = models.CharField(max_length=255, blank=True)
    factor_levels = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True, help_text="Minimization's imbalance scores.")
    randomized_at = models.DateTimeField()
    randomized_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "randomized_at", "id"]

    def __str__(self) -> str:
        # Never the arm: this text is the audit event's record name, which is not masked.
        return f"Randomization of {self.participant}"


class UnblindingEvent(RegulatedRecord):
    """An emergency unblinding of one participant, electronically signed (21 CFR Part 11 §11.50).

    The signer re-entered their password (`reauthenticated`); the signature's meaning is
    "unblinding" and its time is UTC. From then on the signer sees this participant's arm.
    """

    MEANING = "unblinding"

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="unblindings")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="unblindings")
    participant = models.ForeignKey(
        "subjects.Participant", on_delete=models.PROTECT, related_name="unblindings"
    )
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="unblindings")
    reason = models.TextField()
    signer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    meaning = models.CharField(max_length=40, default=MEANING)
    reauthenticated = models.BooleanField(default=False)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-signed_at", "-id"]

    def __str__(self) -> str:
        return f"Emergency unblinding of {self.participant}"


class UnblindedAccess(RegulatedRecord):
    """A person allowed to see the arms of a study's participants (e.g. an unblinded pharmacist).

    Granted with a reason by the study's CRM or an administrator, never by the person to themselves;
    revoking deletes the grant, and the audit trail keeps both.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="unblinded_access")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="unblinded_access")
    reason = models.TextField()
    granted_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "user"],
                name="unique_unblinded_access",
                violation_error_message="This person already has unblinded access to this study.",
            )
        ]

    def __str__(self) -> str:
        return f"Unblinded access of {self.user.username} to {self.study}"


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user):
        return self.filter(recipient=user) if user.is_authenticated else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one person about one study (e.g. a participant was unblinded)."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="notifications")
    participant = models.ForeignKey(
        "subjects.Participant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=32)
    message = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message[:80]
