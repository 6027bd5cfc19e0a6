"""Text helpers for server-drawn SVG: the CJK font stack, ink colours, text width and wrapping."""

from __future__ import annotations

import html
import unicodedata

FONT = 14  # body text of the diagrams, px
FONT_FAMILY = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',"
    "'WenQuanYi Micro Hei',sans-serif"
)
RED = "#a3120f"
INK = "#1b1f24"
MUTED = "#4a525c"
# Characters that must not start a line (避头点).
NO_LINE_START = set("，。、；：？！）》」』】”’%,.;:?!)")


def _text_width(text: str, font_size: float) -> float:
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    return (wide + (len(text) - wide) * 0.6) * font_size


def wrap(text: str, *, width: float, font_size: float = FONT) -> list[str]:
    """Break `text` into lines no wider than `width` pixels (an estimate; see module docstring)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and _text_width(line + ch, font_size) > width and ch not in NO_LINE_START:
            lines.append(line)
            line = "" if ch == " " else ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines or [""]


def svg_escape(text: object) -> str:
    return html.escape(str(text), quote=True)
