"""The Content-Security-Policy allows only the site's own script and style files, so no template may hold
inline script, a <style> block, a style="" attribute or an on…="" handler: the browser would refuse them
(htmx's hx-on… runs inline code too). Behaviour goes into static/trialdesk/trialdesk.js, looks into
static/trialdesk/trialdesk.css."""

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "trialdesk"
TEMPLATES = sorted(p for p in SOURCE.rglob("templates/**/*.html"))

INLINE = {
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an inline event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on": re.compile(r"\s(data-)?hx-on", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def inline_scripts(html: str) -> list[str]:
    """<script> tags without a src= (a type="application/json" data block is not run, so it may stay)."""
    tags = re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
    return [tag for tag in tags if "src=" not in tag and "application/json" not in tag]


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_template_has_no_inline_script_or_style(template):
    html = template.read_text()
    found = [what for what, pattern in INLINE.items() if pattern.search(html)]
    found += [f"an inline script {tag}" for tag in inline_scripts(html)]
    assert not found, f"{template.relative_to(SOURCE)}: {', '.join(found)}"


@pytest.mark.parametrize(
    "html",
    [
        "<style>.x{}</style>",
        '<span style="color: red">',
        '<button onclick="go()">',
        '<div hx-on::after-request="x()">',
        "<script>alert(1)</script>",
        '<a href="javascript:go()">',
    ],
)
def test_the_check_catches(html):
    assert any(pattern.search(html) for pattern in INLINE.values()) or inline_scripts(html)


def test_the_check_lets_static_scripts_and_data_blocks_through():
    html = '<script src="/static/x.js" defer></script><script type="application/json" id="s">{}</script>'
    assert not inline_scripts(html) and not any(pattern.search(html) for pattern in INLINE.values())
