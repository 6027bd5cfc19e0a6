"""Validators for what applicants type in or upload at intake.

Each ``validate_*`` function is a Django validator: it takes the value, returns ``None`` and raises
``ValidationError`` with a ``code`` (so forms and services can tell the errors apart) and a Chinese
message. Each ``normalize_*`` function returns the canonical form that is stored and compared;
validators accept the raw input and normalise it first, so a form's ``clean_<field>`` should store
``normalize_*(value)`` after validation. The ``is_valid_*`` helpers are for code that only needs a
yes or no.

This module has no database access.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import warnings
from dataclasses import dataclass
from datetime import date
from typing import IO, Literal, cast

import pypdf
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

__all__ = [
    "ID_NUMBER_REGION_PREFIXES",
    "MAX_IMAGE_PIXELS",
    "UPLOAD_KINDS",
    "USCC_CHARSET",
    "USCC_REGISTRATION_AUTHORITIES",
    "DetectedUpload",
    "detect_upload_kind",
    "id_number_birth_date",
    "id_number_check_char",
    "is_valid_id_number",
    "is_valid_mobile",
    "is_valid_uscc",
    "normalize_id_number",
    "normalize_mobile",
    "normalize_uscc",
    "safe_upload_name",
    "uscc_check_char",
    "validate_id_number",
    "validate_mobile",
    "validate_upload",
    "validate_uscc",
]

_SPACES = re.compile(r"\s+")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _canonical(value: object) -> str:
    """NFKC folds full-width input from Chinese IMEs (ＡＢＣ１２３) to ASCII; whitespace goes."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value or "")))


# --- Resident identity number (居民身份证号码), GB 11643-1999 --------------------------------

#: ISO 7064 MOD 11-2 weights: 2^(17-i) mod 11 for positions 1..17.
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: Check character indexed by (weighted sum mod 11).
_ID_NUMBER_CHECK_CHARS = "10X98765432"

#: First two digits (province-level division, GB/T 2260). 71 is Taiwan Province; 81 and 82 are the
#: numbers on residence permits for Hong Kong and Macao residents, 83 for Taiwan residents
#: (港澳台居民居住证, issued since 2018 with 810000 / 820000 / 830000 as the address code).
ID_NUMBER_REGION_PREFIXES = frozenset(
    {
        *(str(n) for n in range(11, 16)),  # 北京 天津 河北 山西 内蒙古
        *(str(n) for n in range(21, 24)),  # 辽宁 吉林 黑龙江
        *(str(n) for n in range(31, 38)),  # 上海 江苏 浙江 安徽 福建 江西 山东
        *(str(n) for n in range(41, 47)),  # 河南 湖北 湖南 广东 广西 海南
        *(str(n) for n in range(50, 55)),  # 重庆 四川 贵州 云南 西藏
        *(str(n) for n in range(61, 66)),  # 陕西 甘肃 青海 宁夏 新疆
        "71",  # 台湾
        "81",  # 香港居民居住证
        "82",  # 澳门居民居住证
        "83",  # 台湾居民居住证
    }
)
# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits, which NFKC keeps.
_ID_NUMBER_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def normalize_id_number(value: object) -> str:
    """Canonical form: full-width folded to ASCII, whitespace removed, a trailing x upper-cased.

    Does not validate; an invalid input comes back normalised but still invalid.
    """
    return _canonical(value).upper()


def id_number_check_char(body: str) -> str:
    """The check character (0-9 or X) for the first 17 digits of an identity number."""
    if not _ASCII_DIGITS.fullmatch(body) or len(body) != 17:
        raise ValueError("an identity number body is 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_NUMBER_WEIGHTS, strict=True))
    return _ID_NUMBER_CHECK_CHARS[total % 11]


def id_number_birth_date(value: object) -> date | None:
    """The birth date encoded in positions 7-14, or None when it is not a real calendar date."""
    number = normalize_id_number(value)
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(value: object, *, today: date | None = None) -> None:
    """Validate a resident identity number (GB 11643-1999).

    Checks, in this order, so that the message names the first thing to fix: 18 characters, 17
    digits then a digit or X; a known province prefix; a real birth date between 1900-01-01 and
    today (Asia/Shanghai); the ISO 7064 MOD 11-2 check character.
    """
    number = normalize_id_number(value)
    if not _ID_NUMBER_SHAPE.fullmatch(number):
        raise ValidationError(
            _("身份证号码应为18位：前17位为数字，最后一位为数字或字母X。"),
            code="id_number_format",
        )
    if number[:2] not in ID_NUMBER_REGION_PREFIXES:
        raise ValidationError(
            _("身份证号码的前两位（%(prefix)s）不是有效的省级行政区划代码。"),
            code="id_number_region",
            params={"prefix": number[:2]},
        )
    born = id_number_birth_date(number)
    today = today or timezone.localdate()
    if born is None or not (_EARLIEST_BIRTH_DATE <= born <= today):
        raise ValidationError(
            _("身份证号码中的出生日期（第7至14位：%(digits)s）不是有效日期。"),
            code="id_number_birth_date",
            params={"digits": number[6:14]},
        )
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("身份证号码校验位不正确，请核对是否有输错的数字。"),
            code="id_number_check_digit",
        )


def is_valid_id_number(value: object, *, today: date | None = None) -> bool:
    try:
        validate_id_number(value, today=today)
    except ValidationError:
        return False
    return True


# --- Unified social credit code (统一社会信用代码), GB 32100-2015 ----------------------------

#: The 31 characters a code may use, in the order of their numeric values (no I, O, S, V, Z).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: 3^(i-1) mod 31 for positions 1..17.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: First character, the registration authority (登记管理部门码): 1 机构编制, 2 外交, 3 司法行政,
#: 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商 (市场监管), A 中央军委改革和编制办公室, N 农业,
#: Y 其他.
USCC_REGISTRATION_AUTHORITIES = frozenset("123456789ANY")
_USCC_VALUES = {char: value for value, char in enumerate(USCC_CHARSET)}
_USCC_SHAPE = re.compile(f"[{USCC_CHARSET}]{{18}}")


def normalize_uscc(value: object) -> str:
    """Canonical form: full-width folded to ASCII, whitespace removed, upper case."""
    return _canonical(value).upper()


def uscc_check_char(body: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    if len(body) != 17 or any(char not in _USCC_VALUES for char in body):
        raise ValueError("a credit code body is 17 characters of USCC_CHARSET")
    total = sum(
        _USCC_VALUES[char] * weight for char, weight in zip(body, USCC_WEIGHTS, strict=True)
    )
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: object) -> None:
    """Validate a unified social credit code (GB 32100-2015).

    Checks 18 characters from the code's alphabet, the registration authority (1st character),
    that the registering office's division code (3rd to 8th) is digits, and the MOD 31 check.
    """
    code = normalize_uscc(value)
    if not _USCC_SHAPE.fullmatch(code):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和大写字母组成（不使用字母I、O、Z、S、V）。"),
            code="uscc_format",
        )
    if code[0] not in USCC_REGISTRATION_AUTHORITIES:
        raise ValidationError(
            _("统一社会信用代码第1位（%(char)s）不是有效的登记管理部门代码。"),
            code="uscc_authority",
            params={"char": code[0]},
        )
    if not _ASCII_DIGITS.fullmatch(code[2:8]):
        raise ValidationError(
            _("统一社会信用代码第3至8位应为登记管理机关的行政区划代码（6位数字）。"),
            code="uscc_region",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对是否有输错的字符。"),
            code="uscc_check_digit",
        )


def is_valid_uscc(value: object) -> bool:
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True


# --- Mainland mobile phone number ------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")


def normalize_mobile(value: object) -> str:
    """Canonical 11-digit form: spaces, dashes and brackets removed, a +86 / 0086 / 86 prefix cut.

    Does not validate; an invalid input comes back normalised but still invalid.
    """
    number = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or "")))
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix) :]
    if number.startswith("86") and len(number) == 13:
        return number[2:]
    return number


def validate_mobile(value: object) -> None:
    """Validate a mainland China mobile number: 11 digits, starting 13 to 19."""
    if not _MOBILE_SHAPE.fullmatch(normalize_mobile(value)):
        raise ValidationError(
            _("请输入有效的11位手机号码（以13至19开头）。"),
            code="mobile_invalid",
        )


def is_valid_mobile(value: object) -> bool:
    try:
        validate_mobile(value)
    except ValidationError:
        return False
    return True


# --- Uploaded materials ----------------------------------------------------------------------

UploadKind = Literal["pdf", "png", "jpeg"]


@dataclass(frozen=True)
class DetectedUpload:
    """What an upload was found to be by its content. Store and serve it as this, never as the
    client's file name or declared content type say."""

    kind: UploadKind
    extension: str
    content_type: str
    size: int


#: kind -> (magic bytes at offset 0, stored extension, content type to serve it with)
UPLOAD_KINDS: dict[str, tuple[bytes, str, str]] = {
    "pdf": (b"%PDF-", ".pdf", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
    "jpeg": (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
}
_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG"}
_MAGIC_PROBE = 16
#: Decoding cap for images, checked from the header before any pixel is decoded: an A4 page
#: scanned at 600 dpi is about 35 million pixels. (At 50 million, fifteen 7000×7000 uploads held
#: every web worker for ~20 s while Pillow decoded them.)
MAX_IMAGE_PIXELS = 36_000_000
#: A PDF ends with %%EOF; readers look for it in the last 1024 bytes, so do we.
_PDF_TAIL = 1024


def detect_upload_kind(head: bytes) -> UploadKind | None:
    """The kind named by the file's first bytes, or None. The signature must start at byte 0, so
    an HTML or script prefix in front of a real signature (a polyglot) is not recognised."""
    for kind, (magic, _extension, _content_type) in UPLOAD_KINDS.items():
        if head.startswith(magic):
            return cast(UploadKind, kind)
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _size_of(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, io.SEEK_END)
    end = file.tell()
    file.seek(position)
    return end


def validate_upload(
    file: IO[bytes], *, max_bytes: int, verify_images: bool = True
) -> DetectedUpload:
    """Check an uploaded material and say what it is. Accepts PDF, PNG and JPEG only.

    The type is decided by the content (magic bytes at offset 0), never by the file name or the
    declared content type, so an HTML page, an SVG or a script named ``.jpg`` is refused. Images
    are also opened and verified with Pillow (``verify_images``), which refuses truncated or
    fake images and decompression bombs; a PDF must carry its ``%%EOF`` trailer.

    ``file`` is any binary file object (Django's ``UploadedFile`` included); it is left at
    position 0. Returns the detected kind; raise codes: ``upload_empty``, ``upload_too_large``,
    ``upload_type``, ``upload_corrupt``, ``upload_image_too_large``.
    """
    size = _size_of(file)
    if size <= 0:
        raise ValidationError(_("上传的文件是空的，请重新选择文件。"), code="upload_empty")
    if size > max_bytes:
        raise ValidationError(
            _("文件过大（%(size)s MB），单个文件不能超过 %(limit)s MB。"),
            code="upload_too_large",
            params={"size": f"{size / (1024 * 1024):.1f}", "limit": _megabytes(max_bytes)},
        )
    file.seek(0)
    head = file.read(_MAGIC_PROBE)
    kind = detect_upload_kind(head)
    if kind is None:
        file.seek(0)
        raise ValidationError(
            _("仅支持上传 PDF、PNG 或 JPEG 格式的文件（按文件内容识别，与文件名无关）。"),
            code="upload_type",
        )
    try:
        if kind == "pdf":
            file.seek(max(0, size - _PDF_TAIL))
            if b"%%EOF" not in file.read(_PDF_TAIL):
                raise ValueError("no %%EOF trailer")
            file.seek(0)
            active = pdf_active_content(file)
            if active is not None:
                raise ValidationError(
                    _(
                        "PDF 文件含有脚本、网页或嵌入程序（%(what)s），出于安全原因不能接收。"
                        "请用“打印为 PDF”或重新扫描后上传。"
                    ),
                    code="upload_active_content",
                    params={"what": active},
                )
        elif verify_images:
            _verify_image(file, expected_format=_PIL_FORMATS[kind])
    except _ImageTooLarge as error:
        raise ValidationError(
            _("图片尺寸过大（%(pixels)s 像素），请降低扫描分辨率后重新上传。"),
            code="upload_image_too_large",
            params={"pixels": str(error)},
        ) from error
    except ValueError as error:
        raise ValidationError(
            _("文件已损坏或不完整，无法打开，请重新扫描或导出后上传。"),
            code="upload_corrupt",
        ) from error
    finally:
        file.seek(0)
    _magic, extension, content_type = UPLOAD_KINDS[kind]
    return DetectedUpload(kind=kind, extension=extension, content_type=content_type, size=size)


class _ImageTooLarge(Exception):
    pass


#: Dictionary keys that make a PDF act rather than show: scripts, launching programs, submitting
#: or importing data, embedded files, Flash/rich media and XFA forms (which carry their own
#: scripts); and actions (`/S`) of those kinds, wherever they hang (an open action, a link, a
#: field's events). A "go to page 1" open action, which office programs write, is left alone.
#: A scanned or printed material needs none of them.
_PDF_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "launch",
    "/SubmitForm": "form submission",
    "/ImportData": "data import",
    "/EmbeddedFile": "embedded file",
    "/EmbeddedFiles": "embedded file",
    "/RichMedia": "rich media",
    "/XFA": "XFA form",
}
#: Actions (`/S`) refused wherever they hang: they run a script or a program, send the form's
#: data away, import data, or open another file.
_PDF_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "launch",
    "/ImportData": "data import",
    "/SubmitForm": "form submission",
    "/GoToR": "opening another file",
    "/GoToE": "opening an embedded file",
}
#: Actions refused only where they run by themselves (the document's open action, and the
#: additional actions `/AA` of the document, a page or a field): a link the reader clicks is an
#: ordinary hyperlink of an exported document, a web address opened on opening is not.
_PDF_AUTOMATIC_ACTIONS = {"/URI": "opening a web address"}
_PDF_AUTOMATIC_KEYS = {"/OpenAction", "/AA"}
#: HTML in a PDF's bytes: a polyglot that a browser sniffing content would run as a page.
_HTML_MARKERS = re.compile(rb"<\s*(script|html|body|iframe|svg|object|embed)[\s>/]", re.I)
_PDF_MAX_OBJECTS = 200_000


def pdf_active_content(file: IO[bytes]) -> str | None:
    """What in this PDF could run (a script, an action, an embedded file, HTML), or None.

    The document is parsed with pypdf and every object reachable from its trailer is walked
    (object streams included, names decoded, so `/J#61vaScript` is `/JavaScript`); content
    streams are not decoded, as drawing operators cannot act. A PDF that cannot be parsed, or
    is encrypted, is refused as unreadable (ValueError): it could not be checked.
    """
    file.seek(0)
    raw = file.read()
    file.seek(0)
    if _HTML_MARKERS.search(raw):
        return "HTML"
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise ValueError("encrypted PDF")
        # (object, reached through an automatic action?); an object seen both ways is walked
        # both ways, so an action shared by a link and the open action is still caught
        pending: list[tuple[object, bool]] = [(reader.trailer, False)]
        seen: set[tuple[int, int, bool]] = set()
        walked = 0
        while pending:
            node, automatic = pending.pop()
            walked += 1
            if walked > _PDF_MAX_OBJECTS:
                raise ValueError("too many PDF objects to check")
            if isinstance(node, IndirectObject):
                key = (node.idnum, node.generation, automatic)
                if key in seen:
                    continue
                seen.add(key)
                node = node.get_object()
            if isinstance(node, DictionaryObject):  # a stream's dictionary too
                for name, value in node.items():
                    if name in _PDF_ACTIVE_KEYS:
                        return _PDF_ACTIVE_KEYS[name]
                    if name == "/S" and str(value) in _PDF_ACTIVE_ACTIONS:
                        return _PDF_ACTIVE_ACTIONS[str(value)]
                    if name == "/S" and automatic and str(value) in _PDF_AUTOMATIC_ACTIONS:
                        return _PDF_AUTOMATIC_ACTIONS[str(value)]
                    if name != "/Parent":  # back up the page tree: seen from the root anyway
                        pending.append((value, automatic or name in _PDF_AUTOMATIC_KEYS))
            elif isinstance(node, ArrayObject):
                pending.extend((item, automatic) for item in node)
    except ValueError:
        raise
    except Exception as error:  # a crafted file makes pypdf raise anything: OverflowError
        # (startxref 2**63), AssertionError, RecursionError, KeyError ... all mean "unreadable"
        raise ValueError(f"unreadable PDF: {type(error).__name__}: {error}") from error
    return None


def _verify_image(file: IO[bytes], *, expected_format: str) -> None:
    """Open the image twice: ``verify()`` checks the structure (PNG checksums), ``load()`` decodes
    the pixels, which is what catches a truncated JPEG. The pixel cap keeps decoding bounded."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file) as image:
                if image.format != expected_format:
                    raise ValueError(f"Pillow read {image.format}, magic said {expected_format}")
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _ImageTooLarge(f"{width}x{height}")
                image.verify()
            file.seek(0)
            with Image.open(file) as image:
                image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        EOFError,
    ) as error:
        raise ValueError(str(error)) from error


def safe_upload_name(original: str, kind: str | DetectedUpload) -> str:
    """A random name to store an upload under: a UUID plus the extension of the detected kind.

    ``original`` (the client's file name) is deliberately not used: no character of it reaches
    the file system, so names like ``../x`` or ``"><script>.jpg`` cannot. Keep the original name
    only as display data, escaped where shown.
    """
    del original
    kind_name = kind.kind if isinstance(kind, DetectedUpload) else kind
    if kind_name not in UPLOAD_KINDS:
        raise ValueError(f"unknown upload kind {kind_name!r}")
    return f"{uuid.uuid4().hex}{UPLOAD_KINDS[kind_name][1]}"
