"""Users, their role assignments, personal API tokens and the append-only audit trail."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q

from trialdesk.core import extensions
from trialdesk.core.roles import ROLE_SCOPES, Role, Scope


class User(AbstractUser):
    """A person who signs in to Trialdesk; what they see comes from their role assignments."""

    failed_login_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Issue 20 §6: the pages in the person's language (with its date and number formats) and times of day
    # in their zone; blank until they choose, when the browser's language and UTC are used.
    language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)
    time_zone = models.CharField("time zone (IANA)", max_length=64, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """One role granted to a user for the whole installation, one study, or one study site."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    study = models.ForeignKey(
        "studies.Study", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments"
    )
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(study__isnull=True, study_site__isnull=True),
                name="unique_global_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "study"],
                condition=models.Q(study__isnull=False, study_site__isnull=True),
                name="unique_study_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "study_site"],
                condition=models.Q(study_site__isnull=False),
                name="unique_site_role",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        where = self.study_site or self.study or "installation"
        return f"{self.user} — {self.get_role_display()} — {where}"

    @property
    def scope(self) -> str:
        if self.study_site_id:
            return Scope.SITE
        if self.study_id:
            return Scope.STUDY
        return Scope.GLOBAL

    def clean(self) -> None:
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            raise ValidationError({"study_site": "This site belongs to another study."})
        allowed = ROLE_SCOPES[self.role]
        if self.scope not in allowed:
            names = ", ".join(sorted(Scope(s).label.lower() for s in allowed))
            raise ValidationError({"role": f"{self.get_role_display()} is granted per {names}."})


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The events of the studies and sites `user` may see; events about subject-level records
        (extensions.audit_labels: participants, adverse events, …) only where the user may see those
        records themselves, so a sponsor viewer reads no participant's values through the trail."""
        from trialdesk.core.scoping import scope_filter  # scoping reads the models below

        about_subjects = Q(object_type__in=extensions.subject_level_types())
        scope = dict(study_path="study_id", site_path="study_site_id")
        return self.filter(study_id__isnull=False).filter(
            (~about_subjects & scope_filter(user, **scope))
            | (about_subjects & scope_filter(user, **scope, subject_level=True))
        )


class AuditEvent(models.Model):
    """One change to a regulated record: who, when, what, old and new values, why; hash-chained.

    Rows are only ever inserted. Database triggers refuse UPDATE and DELETE on this table, and an INSERT
    that would replace an existing event (core/migrations 0003 and 0004).
    """

    occurred_at = models.DateTimeField(db_index=True)
    # No database-level foreign keys: a user or a study may go, its audit trail stays untouched.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255, blank=True)
    study_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    study_site_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The key whose HMAC-SHA-256 `hash` is (core.audit.keys); empty: written before audit keys, plain SHA-256.
    key_id = models.CharField(max_length=32, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_username}"


class RegulatedRecord(models.Model):
    """Base for records whose every change is audited and guarded by an optimistic-concurrency version."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def audit_study_id(self) -> int | None:
        """The study whose audit trail this record's events belong to."""
        return getattr(self, "study_id", None)

    def audit_study_site_id(self) -> int | None:
        """The study site whose staff may read this record's events (None: study-wide)."""
        return getattr(self, "study_site_id", None)

    def validate_constraints(self, exclude=None) -> None:
        """As Django's, but a multi-field uniqueness error is put on the field the user chose last.

        Constraints list their fields with the user-chosen one last (``["study", "site_number"]``),
        so a form or API error names ``site_number`` rather than the whole record.
        """
        errors: dict[str, list] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude)
                except ValidationError as error:
                    fields = getattr(constraint, "fields", ())
                    key = fields[-1] if fields else NON_FIELD_ERRORS
                    errors.setdefault(key, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)


class TaskProgress(models.Model):
    """One piece of background work (core.tasks) as the person who started it sees it: its state, how
    far it has got (done of total, a message), the error that stopped it, the file it produced. The
    worker writes it; /tasks/<id>/ shows it (htmx polling) and `--wait` prints it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    title = models.CharField(max_length=200)
    task_path = models.CharField(max_length=200)
    # The queue's own id of the task (django-tasks' TaskResult.id), to find its row on recovery.
    result_id = models.CharField(max_length=64, blank=True, db_index=True)
    # Work that is asked for again before it starts is not queued twice (e.g. "study-refresh:12").
    key = models.CharField(max_length=100, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    # A file the task produced (under DATA_DIR/task-files), offered for download to its starter.
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Every progress write moves it: the worker's sign of life, which the lease on a claimed task reads.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["key", "status"], name="core_taskprogress_key_status")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))
