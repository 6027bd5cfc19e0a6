"""The CJK TrueType font embedded in every notice PDF: where it comes from,
and which characters it lacks."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from hall.cases.pdf.document import FIXED_LABELS, NoticeDocument

#: Environment variable naming a TrueType (.ttf, or .ttc with the face at index 0) CJK font.
FONT_ENV_VAR = "HALL_CJK_FONT"
_REPO_DIR = Path(__file__).resolve().parents[3]  # hall/cases/pdf/ -> the checkout
_NOTO_SERIF_SC = _REPO_DIR / "node_modules" / "@expo-google-fonts" / "noto-serif-sc"
#: Looked at in order after ``HALL_CJK_FONT``. The first is installed by ``make install`` (npm
#: package @expo-google-fonts/noto-serif-sc, SIL OFL 1.1); the others are Debian packages
#: (fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming). Debian's fonts-droid-fallback
#: is left out on purpose: it has no Latin letters or digits, so dates and numbers would print
#: as boxes.
KNOWN_CJK_FONTS = (
    _NOTO_SERIF_SC / "400Regular" / "NotoSerifSC_400Regular.ttf",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
_BOLD_SIBLINGS = {
    KNOWN_CJK_FONTS[0]: _NOTO_SERIF_SC / "700Bold" / "NotoSerifSC_700Bold.ttf",
}


class CJKFontMissingError(RuntimeError):
    """No usable CJK TrueType font: notices cannot be rendered."""


def _outline_format(path: Path) -> str:
    """'truetype', 'cff' or 'unknown', from the sfnt header (the first face of a collection)."""
    with path.open("rb") as font:
        tag = font.read(4)
        if tag == b"ttcf":
            font.seek(12)
            offset = int.from_bytes(font.read(4), "big")
            font.seek(offset)
            tag = font.read(4)
    if tag in (b"\x00\x01\x00\x00", b"true"):
        return "truetype"
    if tag == b"OTTO":
        return "cff"
    return "unknown"


def cjk_font_path() -> Path:
    """The CJK font file notices are set in: ``$HALL_CJK_FONT`` if set, else the first of
    ``KNOWN_CJK_FONTS`` that exists.

    Raises ``CJKFontMissingError`` saying what to install when there is none, and when the file
    has CFF outlines (Noto Sans CJK .otf/.ttc), which reportlab cannot embed.
    """
    configured = os.environ.get(FONT_ENV_VAR, "").strip()
    if configured:
        candidates: tuple[Path, ...] = (Path(configured),)
        if not candidates[0].is_file():
            raise CJKFontMissingError(f"{FONT_ENV_VAR}={configured} is not a file.")
    else:
        candidates = tuple(path for path in KNOWN_CJK_FONTS if path.is_file())
    if not candidates:
        looked = "\n  ".join(str(path) for path in KNOWN_CJK_FONTS)
        raise CJKFontMissingError(
            "No CJK TrueType font found for the notice PDFs. Run `make install` (its `npm ci` "
            "installs @expo-google-fonts/noto-serif-sc), or set "
            f"{FONT_ENV_VAR} to a .ttf/.ttc with TrueType outlines. Looked in:\n  {looked}"
        )
    path = candidates[0]
    outlines = _outline_format(path)
    if outlines != "truetype":
        raise CJKFontMissingError(
            f"{path} has {outlines} outlines; reportlab embeds only TrueType-outline fonts "
            "(not CFF/.otf such as Noto Sans CJK)."
        )
    return path


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str


@lru_cache(maxsize=8)
def _register(path: Path) -> str:
    name = "HallCJK-" + re.sub(r"[^A-Za-z0-9]+", "", path.stem)
    registered = pdfmetrics.getRegisteredFontNames()
    suffix = 1
    while f"{name}{suffix if suffix > 1 else ''}" in registered:
        suffix += 1
    name = f"{name}{suffix if suffix > 1 else ''}"
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    return name


def fonts_loaded() -> Fonts:
    path = cjk_font_path()
    regular = _register(path)
    bold_path = _BOLD_SIBLINGS.get(path)
    bold = _register(bold_path) if bold_path and bold_path.is_file() else regular
    return Fonts(regular=regular, bold=bold)


def glyphs_missing(texts: Iterable[str]) -> frozenset[str]:
    """Characters of `texts` that the notices' font has no glyph for (they would print as
    boxes). Rare characters in names (生僻字) are the usual case: the window shows them on the
    case page before any notice is issued (`hall.intake.views`)."""
    fonts = fonts_loaded()
    missing: set[str] = set()
    for name in {fonts.regular, fonts.bold}:
        char_to_glyph = pdfmetrics.getFont(name).face.charToGlyph
        missing.update(
            char
            for text in texts
            for char in text
            if not char.isspace() and ord(char) not in char_to_glyph
        )
    return frozenset(missing)


def unsupported_characters(doc: NoticeDocument) -> frozenset[str]:
    """Characters of the notice that the font has no glyph for."""
    return glyphs_missing((*doc.texts(), *FIXED_LABELS))
