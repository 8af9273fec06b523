"""Running numbers of records within their parent (AI-0001 within a study, finding 1 within a report)."""

from django.db.models import Max


def next_number(queryset) -> int:
    """One more than the highest `number` in `queryset` (a race ends in the unique constraint: 409)."""
    return (queryset.aggregate(highest=Max("number"))["highest"] or 0) + 1
