"""A form field in the reader's language: `{% with field=field|translated %}` (issue 20 §6).

Forms keep their labels, help texts and choices in English (the code's language); the shared field
partial translates them when it draws them, from the catalogues (their msgids are listed in
core/labels.py, so that makemessages keeps them). Records' own names (a study, a person) are left as
they are: only plain string choices are translated, never a model's choices.
"""

from django import forms, template
from django.utils.translation import gettext

register = template.Library()


def _translated(text):
    return gettext(text) if isinstance(text, str) and text else text


@register.filter
def translated(bound_field):
    """The bound field with its label, help text and (non-model) choices translated, once per form."""
    field = bound_field.field
    if getattr(field, "translated_for", None) == id(bound_field.form):
        return bound_field
    bound_field.label = _translated(bound_field.label)
    field.help_text = _translated(field.help_text)
    bound_field.help_text = field.help_text or ""
    widget = field.widget
    if hasattr(widget, "choices") and not isinstance(field, forms.ModelChoiceField):
        widget.choices = [(value, _translated(label)) for value, label in widget.choices]
    field.translated_for = id(bound_field.form)
    return bound_field
