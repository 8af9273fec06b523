"""`{% chart spec %}` puts a Vega-Lite chart (core.charts) in a page; `{% chart_scripts %}` draws them.

The specification goes into a `<script type="application/json">` data block, which the browser never runs
(the Content-Security-Policy allows only the site's own script files); static/trialdesk/charts.js finds
each chart box, reads its block and draws it with the vendored vega-embed, on load and after htmx swaps.
The chart's title is also written as the box's text, read by screen readers and shown until it is drawn.
"""

import itertools
import json

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_numbers = itertools.count(1)
LIBRARIES = (
    "vendor/vega/vega.min.js",
    "vendor/vega/vega-lite.min.js",
    "vendor/vega/vega-embed.min.js",
    "vendor/vega/vega-interpreter.js",
)


def _spec_json(spec: dict) -> str:
    # As Django's json_script: no "<", ">" or "&" can close the data block early.
    text = json.dumps(spec, separators=(",", ":"))
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


@register.simple_tag
def chart(spec: dict | None, empty: str = "Nothing to chart yet.") -> str:
    """A chart box with its specification, or a line saying there is nothing to draw."""
    if not spec:
        return format_html('<p class="muted chart-empty">{}</p>', empty)
    block_id = f"chart-spec-{next(_numbers)}"
    title = spec.get("title", "")
    title = title.get("text", "") if isinstance(title, dict) else title
    return format_html(
        '<figure class="chart"><div class="chart-box" data-vega-spec="{}" role="img" aria-label="{}">{}</div>'
        '<script type="application/json" id="{}">{}</script></figure>',
        block_id,
        title,
        title,
        block_id,
        mark_safe(_spec_json(spec)),
    )


@register.simple_tag
def chart_scripts() -> str:
    """charts.js, which loads the vendored Vega, Vega-Lite, vega-embed and interpreter in order (also when
    htmx swaps the charts in) and draws every chart of the page."""
    return format_html(
        '<script src="{}" data-vega-libraries="{}" defer></script>',
        static("trialdesk/charts.js"),
        " ".join(static(path) for path in LIBRARIES),
    )
