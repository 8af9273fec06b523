"""The font a PDF writes the reader's language in: Japanese needs a CJK font."""

from django.utils.translation import get_language
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

# reportlab's built-in Japanese font: no font file to ship, the reader's PDF viewer supplies the glyphs.
CJK_FONT = "HeiseiKakuGo-W5"


def font_for_language(name: str) -> str:
    """The font to write the active language in: `name`, or the CJK font for Japanese."""
    if (get_language() or "").split("-")[0] != "ja":
        return name
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT
