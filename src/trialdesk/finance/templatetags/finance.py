"""Template filters of the finance pages: a quantile out of a dict, an amount in its row's currency."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def shown(row, field: str) -> str:
    return row.shown(field)


@register.filter
def shown_field(record, field: str) -> str:
    return record.shown(field)
