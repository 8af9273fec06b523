"""Each site's KRI flags as last scored, so that a list of many sites reads its risk tiers instead of
scoring every study's KRIs on each view.

A snapshot is derived data, not a regulated record: it is rewritten whole, study by study, whenever the
study's KRIs are scored for monitoring (`trialdesk rbqm tiers`, the nightly job; `trialdesk rbqm signals`;
the CRM's "Score the KRIs now" on the oversight page; a study's first view there). The tier itself is
worked out when read (rules.tiers), from these flags and the site's open issues and hand-set tier as they
are then, so only the KRI part can be older than the page, and the page says as of when.
"""

from django.conf import settings
from django.db import models

from trialdesk.monitoring.scoping import sponsor_side


class SiteTierSnapshotQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="study", site_path="study_site"))


class SiteTierSnapshot(models.Model):
    """A study site's KRI flags when its study's KRIs were last scored: the red and amber flags as
    `[{"kri", "name", "flag", "score"}]`, when, and who asked (empty for a scheduled run)."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="+")
    study_site = models.OneToOneField(
        "sites.StudySite", on_delete=models.CASCADE, related_name="monitoring_tier_snapshot"
    )
    flags = models.JSONField(default=list, blank=True)
    scored_at = models.DateTimeField()
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SiteTierSnapshotQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["study", "scored_at"])]

    def __str__(self) -> str:
        return f"KRI flags of site {self.study_site_id} at {self.scored_at:%Y-%m-%d %H:%M}"
