"""QR codes as inline SVG, drawn by segno."""

import segno
from django.utils.safestring import SafeString, mark_safe

QR_CLASS = "qr-code"


def qr_svg(data: str, *, title: str) -> SafeString:
    """`data` as a QR code (error correction M: a worn or creased print still scans) in an <svg>
    sized by the style sheet through its class: no size and no style attribute, which the
    Content-Security-Policy (style-src 'self') would block. `title` names it for screen readers."""
    code = segno.make(data, error="m")
    # segno escapes the title and writes nothing else that comes from outside.
    return mark_safe(code.svg_inline(scale=1, omitsize=True, svgclass=QR_CLASS, lineclass=None, title=title))  # noqa: S308
