"""Reads of samples, permits and shipments, always through the reader's scope; and the counts other
apps ask for (the close-out checklist's "samples shipped")."""

from django.db.models import Count

from trialdesk.samples.models import Sample


def unshipped_counts(study) -> dict[int, int]:
    """{study site id: samples collected there and not yet shipped} for every site of `study` with any.

    Not scoped to a reader: callers (the close-out checklist) have already scoped the study and sites,
    and a count names no participant. One query.
    """
    rows = (
        Sample.objects.filter(study=study, shipment_item__isnull=True)
        .values("study_site_id")
        .annotate(count=Count("id"))
        .values_list("study_site_id", "count")
    )
    return dict(rows)
