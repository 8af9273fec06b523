"""`{% lowered_translation value as name %}`: a choice's label in lower case, in the reader's language
(issue 20 §6). The English sentences paste labels in lower case ("remote", "by car"); `{% translate
value|lower %}` would translate before lowering, which breaks languages that capitalise nouns. The lower-case
labels are listed in monitoring/labels.py."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def lowered_translation(value) -> str:
    return gettext(str(value).lower())
