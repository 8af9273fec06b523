"""`{% panel template values %}`: render one app's panel of a shared page with its own context on top.

The study overview, a study site's page and the portfolio show panels the apps above register
(core.extensions); each panel's context function returns `values`, which its template sees alongside
the page's own context, as an inclusion tag's template would.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def panel(context, template_name: str, values: dict) -> str:
    with context.push(values):
        return context.template.engine.get_template(template_name).render(context)
