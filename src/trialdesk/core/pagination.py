"""Splitting long lists into pages of settings.PAGE_SIZE rows, driven by the `page` query parameter."""

from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(queryset, request, *, per_page: int | None = None) -> Page:
    """The page of `queryset` named by ?page= (the first for a missing or bad value, the last if too far)."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
