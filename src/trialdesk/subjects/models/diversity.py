"""A study's diversity plan: the share of enrolled participants aimed for in each group."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.sites import rules as site_rules
from trialdesk.subjects import rules
from trialdesk.subjects.models.participants import Ethnicity, Race, Sex, StudyWideQuerySet


class DiversityDimension(models.TextChoices):
    SEX = "sex", "Sex"
    AGE = "age", "Age at consent"
    ETHNICITY = "ethnicity", "Ethnicity"
    RACE = "race", "Race"
    COUNTRY = "country", "Country"


# The categories a target may name in each dimension (age bands and countries are checked by rules).
DIVERSITY_CATEGORIES = {
    DiversityDimension.SEX: dict(Sex.choices),
    DiversityDimension.ETHNICITY: dict(Ethnicity.choices),
    DiversityDimension.RACE: dict(Race.choices),
}


class DiversityTarget(RegulatedRecord):
    """One line of a study's diversity plan: the share of enrolled participants aimed for in one group."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="diversity_targets")
    dimension = models.CharField(max_length=16, choices=DiversityDimension.choices)
    group = models.CharField(
        max_length=60,
        help_text="A category of the dimension; an age band such as 65+ or 18-64; a country code such as US.",
    )
    target_percent = models.DecimalField(
        "target %",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    objects = StudyWideQuerySet.as_manager()

    class Meta:
        ordering = ["study", "dimension", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "dimension", "group"],
                name="unique_diversity_target",
                violation_error_message="The plan already has a target for this group.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.group_label}"

    @property
    def group_label(self) -> str:
        if self.dimension == DiversityDimension.COUNTRY:
            return site_rules.country_name(self.group)
        return DIVERSITY_CATEGORIES.get(self.dimension, {}).get(self.group, self.group)

    def clean_fields(self, exclude=None) -> None:
        self.group = (self.group or "").strip()
        if self.dimension == DiversityDimension.COUNTRY:
            self.group = self.group.upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        problem = None
        if self.dimension in DIVERSITY_CATEGORIES:
            if self.group not in DIVERSITY_CATEGORIES[self.dimension]:
                names = ", ".join(DIVERSITY_CATEGORIES[self.dimension])
                problem = gettext("Choose one of: %(names)s.") % {"names": names}
        elif self.dimension == DiversityDimension.AGE:
            problem = rules.age_band_problem(self.group)
        elif self.dimension == DiversityDimension.COUNTRY:
            problem = site_rules.country_problem(self.group)
        if problem:
            raise ValidationError({"group": problem})
