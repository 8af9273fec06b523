"""`{% load words %}{{ value|words }}`: a stored code shown as words ("not_required" → "not required",
"on_site" → "on site"), for the few places that show a code without a choices label to look up."""

from django import template

register = template.Library()


@register.filter
def words(value) -> str:
    """The code with its underscores as spaces; anything else as it is."""
    return str(value).replace("_", " ") if isinstance(value, str) else value
