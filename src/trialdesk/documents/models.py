"""Records of the documents app: each study's TMF profile, its essential documents and their file versions."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord, RoleAssignment, User
from trialdesk.core.scoping import scope_filter
from trialdesk.documents import reference
from trialdesk.documents.rules import expectations, filing
from trialdesk.sites import rules as site_rules


class Level(models.TextChoices):
    TRIAL = expectations.TRIAL, "Trial"
    COUNTRY = expectations.COUNTRY, "Country"
    SITE = expectations.SITE, "Site"


class TmfProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class TmfProfile(RegulatedRecord):
    """The facts about a study that decide which essential documents its trial master file must hold."""

    study = models.OneToOneField("studies.Study", on_delete=models.CASCADE, related_name="tmf_profile")
    us_ind = models.BooleanField(
        "runs under a US IND",
        default=False,
        help_text="US sites then need a Form FDA 1572 and financial disclosure forms.",
    )
    local_laboratories = models.BooleanField(
        "sites use local laboratories",
        default=True,
        help_text="Each site then needs its laboratory's certification and normal ranges.",
    )
    expiry_warning_days = models.PositiveSmallIntegerField(
        "warn of expiry (days ahead)", default=60, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )

    objects = TmfProfileQuerySet.as_manager()

    def __str__(self) -> str:
        return f"TMF profile of {self.study}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class Document(RegulatedRecord):
    """An essential document of a study filed against a TMF artifact at trial, country or site level.

    The document is the slot (e.g. "Ethics approval, protocol v3.0, site 101"); its files are its versions.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="documents")
    level = models.CharField(max_length=8, choices=Level.choices)
    country = models.CharField("country (ISO 3166-1 alpha-2)", max_length=2, blank=True)
    # A study or site may itself be deleted only while it is a candidate (planned / under feasibility);
    # its documents go with it, the deletion being on the audit trail. Later nothing is deleted.
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    artifact_number = models.CharField("TMF artifact", max_length=8)
    title = models.CharField(max_length=300)
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    person = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="essential_documents",
        help_text="The staff member a CV, certificate or disclosure belongs to.",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["study", "level", "country", "study_site", "artifact_number", "id"]
        indexes = [models.Index(fields=["study", "artifact_number"]), models.Index(fields=["study_site"])]

    def __str__(self) -> str:
        return self.title

    @property
    def artifact(self) -> reference.Artifact | None:
        return reference.artifact(self.artifact_number)

    def clean(self) -> None:
        errors = {}
        self.country = (self.country or "").strip().upper()
        if self.study_site_id:
            site_country = self.study_site.institution.country
            if self.study_site.study_id != self.study_id:
                errors["study_site"] = gettext("This site belongs to another study.")
            if self.country and self.country != site_country:
                errors["country"] = gettext("A site document's country is its site's country.")
            self.country = site_country
        if problem := filing.filing_problem(
            artifact_number=self.artifact_number,
            level=self.level,
            has_site=bool(self.study_site_id),
            country=self.country,
        ):
            errors.update(problem)
        elif problem := expectations.slot_problem(
            level=self.level,
            artifact_number=self.artifact_number,
            has_version=bool(self.protocol_version_id),
            has_person=bool(self.person_id),
        ):
            errors.update(problem)
        if self.country and not self.study_site_id and (problem := site_rules.country_problem(self.country)):
            errors["country"] = problem
        if self.protocol_version_id and self.protocol_version.study_id != self.study_id:
            errors["protocol_version"] = gettext("This protocol version belongs to another study.")
        if self.person_id and self.study_site_id and not self._person_works_here():
            errors["person"] = gettext(
                "%(person)s holds no role at site %(site_number)s or on the study."
            ) % {"person": self.person, "site_number": self.study_site.site_number}
        if errors:
            raise ValidationError(errors)

    def _person_works_here(self) -> bool:
        return RoleAssignment.objects.filter(
            models.Q(study_site_id=self.study_site_id)
            | models.Q(study_id=self.study_id, study_site__isnull=True),
            user_id=self.person_id,
        ).exists()


class DocumentVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="document__study", site_path="document__study_site"))


class DocumentVersion(RegulatedRecord):
    """One uploaded file of a document, kept on disk under its SHA-256; a later version supersedes it.

    Versions are never deleted: the trial master file shows what was on file at any time.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("version number")
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("size (bytes)")
    filename = models.CharField("file name", max_length=255)
    media_type = models.CharField(max_length=100)
    document_date = models.DateField(help_text="The date the document bears (signature, approval, issue).")
    expires_on = models.DateField("expiry date", null=True, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="unique_document_version_number",
                violation_error_message="This document already has a version with this number.",
            )
        ]
        indexes = [models.Index(fields=["sha256"])]

    def __str__(self) -> str:
        return f"{self.document} (version {self.number})"

    def audit_study_id(self) -> int:
        return self.document.study_id

    def audit_study_site_id(self) -> int | None:
        return self.document.study_site_id

    def clean(self) -> None:
        if problem := filing.expiry_problem(self.document_date, self.expires_on):
            raise ValidationError({"expires_on": problem})
