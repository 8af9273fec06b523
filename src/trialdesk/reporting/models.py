"""Figures the portfolio report shows for every study, computed ahead so that the report reads them in one
query whatever the number of studies: each study's estimate at completion (finance.estimates), stored when
the data change (reporting.freshness), by `trialdesk report refresh` (nightly) and after the demo loads."""

from django.db import models


class StoredEstimate(models.Model):
    """A study's budget and estimate at completion as last computed. Derived data, recomputed whole: not
    audited. `currency` is empty while the study has no budget (nothing to measure against)."""

    study = models.OneToOneField("studies.Study", on_delete=models.CASCADE, related_name="stored_estimate")
    currency = models.CharField(max_length=3, blank=True)
    budget = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    eac_median = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    variance = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.study} estimate at completion ({self.computed_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def has_budget(self) -> bool:
        return bool(self.currency)
