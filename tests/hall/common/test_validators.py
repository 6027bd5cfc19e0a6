"""Intake validators: identity numbers, credit codes, phones and uploaded materials.

Check characters in these tests come from independent implementations written differently from
hall.validators (formula instead of lookup string, dict instead of index), so a shared mistake
cannot make both agree.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from hall.common import validators
from hall.common.validators import (
    ID_NUMBER_REGION_PREFIXES,
    USCC_CHARSET,
    DetectedUpload,
    is_valid_id_number,
    is_valid_mobile,
    is_valid_uscc,
    normalize_id_number,
    normalize_mobile,
    normalize_uscc,
    safe_upload_name,
    validate_id_number,
    validate_mobile,
    validate_upload,
    validate_uscc,
)

TODAY = date(2026, 3, 5)


def error_code(validator, value, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        validator(value, **kwargs)
    return caught.value.code


def error_message(validator, value, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        validator(value, **kwargs)
    return caught.value.messages[0]


# --- independent check-character implementations ----------------------------------------------


def reference_id_check(body: str) -> str:
    """ISO 7064 MOD 11-2 written out: weights 2^(17-i) mod 11, check = (12 - S mod 11) mod 11."""
    total = sum(int(body[i]) * pow(2, 17 - i, 11) for i in range(17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


USCC_VALUE = {char: value for value, char in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
USCC_CHAR = {value: char for char, value in USCC_VALUE.items()}


def reference_uscc_check(body: str) -> str:
    """GB 32100 written out: weights 3^i mod 31, check value = -S mod 31."""
    total = sum(USCC_VALUE[body[i]] * pow(3, i, 31) for i in range(17))
    return USCC_CHAR[(-total) % 31]


def with_id_check(body: str) -> str:
    return body + reference_id_check(body)


def with_uscc_check(body: str) -> str:
    return body + reference_uscc_check(body)


# --- resident identity number ----------------------------------------------------------------


def test_published_sample_id_number_is_valid():
    validate_id_number("11010519491231002X", today=TODAY)
    assert reference_id_check("11010519491231002") == "X"


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２ｘ"],
)
def test_id_number_normalises_case_spaces_and_full_width(raw):
    assert normalize_id_number(raw) == "11010519491231002X"
    assert is_valid_id_number(raw, today=TODAY)


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002",  # 17 characters
        "11010519491231002X1",  # 19 characters
        "110105194912310",  # first-generation 15-digit number, void since 2013
        "1101051949123100AX",  # letter inside
        "X10105194912310021",  # X not at the end
        "",
        None,
    ],
)
def test_id_number_length_and_format_errors(value):
    assert error_code(validate_id_number, value, today=TODAY) == "id_number_format"


@pytest.mark.parametrize(
    "prefix", ["00", "10", "16", "20", "39", "66", "72", "80", "84", "91", "99"]
)
def test_id_number_unknown_region_prefix(prefix):
    number = with_id_check(prefix + "010519491231002")
    assert error_code(validate_id_number, number, today=TODAY) == "id_number_region"
    assert prefix in error_message(validate_id_number, number, today=TODAY)


@pytest.mark.parametrize(
    "prefix", ["11", "15", "23", "37", "44", "54", "65", "71", "81", "82", "83"]
)
def test_id_number_known_region_prefixes_including_hk_macao_taiwan_permits(prefix):
    assert is_valid_id_number(with_id_check(prefix + "000019800101123"), today=TODAY)


@pytest.mark.parametrize(
    "birth",
    [
        "19490231",  # 31 February
        "20011301",  # month 13
        "18991231",  # before 1900
        "20260306",  # the day after TODAY
        "00000000",
    ],
)
def test_id_number_birth_date_errors(birth):
    number = with_id_check("440304" + birth + "123")
    assert error_code(validate_id_number, number, today=TODAY) == "id_number_birth_date"


def test_id_number_born_today_and_on_leap_day_are_valid():
    assert is_valid_id_number(with_id_check("440304" + "20260305" + "123"), today=TODAY)
    assert is_valid_id_number(with_id_check("440304" + "20000229" + "123"), today=TODAY)
    assert not is_valid_id_number(with_id_check("440304" + "19000229" + "123"), today=TODAY)


def test_id_number_wrong_check_digit():
    assert error_code(validate_id_number, "110105194912310021", today=TODAY) == (
        "id_number_check_digit"
    )


def test_non_ascii_digits_are_refused():
    # NFKC folds full-width digits but keeps Arabic-Indic ones, which \d and int() would accept.
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in "11010519491231002") + "X"
    assert error_code(validate_id_number, arabic_indic, today=TODAY) == "id_number_format"
    assert not is_valid_mobile("".join(chr(0x0660 + int(c)) for c in "13800138000"))
    assert error_code(validate_uscc, "9135٠100M000100Y43") == "uscc_format"


def test_id_number_default_today_is_the_local_date():
    assert is_valid_id_number("11010519491231002X")


id_bodies = st.builds(
    lambda prefix, area, born, sequence: f"{prefix}{area}{born:%Y%m%d}{sequence}",
    st.sampled_from(sorted(ID_NUMBER_REGION_PREFIXES)),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)


@given(id_bodies)
def test_property_any_body_with_valid_region_and_date_plus_check_validates(body):
    assert is_valid_id_number(with_id_check(body), today=TODAY)


def test_mod_11_2_detects_every_single_substitution_algebraically():
    # A substitution at position i changes the sum by w_i * d with d in ±1..±9 (or ±10 for X at
    # the check position, which is a function of the body). Every weight is non-zero mod the
    # prime 11, and so is every d, so the product never vanishes: no substitution goes unseen.
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    assert all((w * d) % 11 for w in weights for d in range(1, 10))


@given(id_bodies, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_property_changing_any_single_character_of_an_id_number_invalidates_it(body, at, char):
    number = with_id_check(body)
    if number[at] == char:
        char = "0" if char != "0" else "1"
    changed = number[:at] + char + number[at + 1 :]
    assert not is_valid_id_number(changed, today=TODAY)


# --- unified social credit code --------------------------------------------------------------


def test_gb_32100_sample_credit_code_is_valid():
    validate_uscc("91350100M000100Y43")
    assert reference_uscc_check("91350100M000100Y4") == "3"


def test_credit_code_normalises_case_spaces_and_full_width():
    assert normalize_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalize_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert is_valid_uscc("91350100m000100y43")


@pytest.mark.parametrize(
    "value",
    [
        "91350100M000100Y4",  # 17
        "91350100M000100Y433",  # 19
        "91350100I000100Y43",  # I is not used
        "91350100O000100Y43",  # O
        "91350100Z000100Y43",  # Z
        "91350100S000100Y43",  # S
        "91350100V000100Y43",  # V
        "91350100-00100Y43-",
        "",
    ],
)
def test_credit_code_format_errors(value):
    assert error_code(validate_uscc, value) == "uscc_format"


@pytest.mark.parametrize("authority", ["0", "B", "C", "G", "X"])
def test_credit_code_unknown_registration_authority(authority):
    code = with_uscc_check(authority + "1350100M000100Y4")
    assert error_code(validate_uscc, code) == "uscc_authority"


@pytest.mark.parametrize("authority", list("123456789ANY"))
def test_credit_code_known_registration_authorities(authority):
    assert is_valid_uscc(with_uscc_check(authority + "1440300MA5F00000"))


def test_credit_code_division_code_must_be_digits():
    code = with_uscc_check("9135A100M000100Y4")
    assert error_code(validate_uscc, code) == "uscc_region"


def test_credit_code_wrong_check_character():
    assert error_code(validate_uscc, "91350100M000100Y44") == "uscc_check_digit"


def test_mod_31_detects_every_single_substitution_algebraically():
    # Character values are 0..30, so a substitution changes the sum by w_i * d, 0 < |d| < 31;
    # 31 is prime and no weight (3^i mod 31) is 0, so the check always changes.
    weights = [pow(3, i, 31) for i in range(17)]
    assert weights == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert all((w * d) % 31 for w in weights for d in range(1, 31))


uscc_bodies = st.builds(
    lambda authority, category, division, subject: authority + category + division + subject,
    st.sampled_from("123456789ANY"),
    st.sampled_from("123459"),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9),
)


@given(uscc_bodies)
def test_property_any_well_formed_body_plus_check_validates(body):
    assert is_valid_uscc(with_uscc_check(body))


@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_CHARSET))
def test_property_changing_any_single_character_of_a_credit_code_invalidates_it(body, at, char):
    code = with_uscc_check(body)
    if code[at] == char:
        char = USCC_CHARSET[(USCC_CHARSET.index(char) + 1) % 31]
    assert not is_valid_uscc(code[:at] + char + code[at + 1 :])


# --- mobile phone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "8613800138000",
        "0086 13800138000",
        "(+86) 138 0013 8000",
        "１３８００１３８０００",
    ],
)
def test_mobile_accepts_common_spellings(raw):
    assert normalize_mobile(raw) == "13800138000"
    validate_mobile(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "12800138000",  # 12 is not a mobile prefix
        "10086",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "23800138000",
        "+852 6123 4567",  # Hong Kong
        "0755-12345678",  # landline
        "1380013800a",
        "",
    ],
)
def test_mobile_rejects(raw):
    assert error_code(validate_mobile, raw) == "mobile_invalid"


@given(st.sampled_from("3456789"), st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_property_every_1x_mobile_with_any_separators_is_valid(second, rest):
    number = f"1{second}{rest}"
    assert is_valid_mobile(number)
    assert is_valid_mobile(f"+86 {number[:3]}-{number[3:7]} {number[7:]}")
    assert normalize_mobile(f"86{number}") == number


@given(st.sampled_from("012"), st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_property_mobile_with_second_digit_0_to_2_is_invalid(second, rest):
    assert not is_valid_mobile(f"1{second}{rest}")


# --- uploads ---------------------------------------------------------------------------------

MB = 1024 * 1024


def image_bytes(format_name: str, size=(24, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(buffer, format=format_name)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 720, "scan")
    canvas.save()
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("content", "kind", "extension", "content_type"),
    [
        (image_bytes("PNG"), "png", ".png", "image/png"),
        (image_bytes("JPEG"), "jpeg", ".jpg", "image/jpeg"),
        (pdf_bytes(), "pdf", ".pdf", "application/pdf"),
    ],
    ids=["png", "jpeg", "pdf"],
)
def test_real_files_are_detected_by_content(content, kind, extension, content_type):
    # Given a misleading name and declared type
    file = upload("material.txt", content, content_type="text/html")
    # When it is checked
    detected = validate_upload(file, max_bytes=5 * MB)
    # Then the content decides, and the file is rewound for saving
    assert detected == DetectedUpload(
        kind=kind, extension=extension, content_type=content_type, size=len(content)
    )
    assert file.tell() == 0


def test_plain_binary_file_objects_work_too():
    assert validate_upload(io.BytesIO(image_bytes("PNG")), max_bytes=MB).kind == "png"


@pytest.mark.parametrize(
    "content",
    [
        b"<!doctype html><html><body><script>alert(1)</script></body></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
        b"<script>alert(1)</script>%PDF-1.4\n%%EOF",  # polyglot: signature not at byte 0
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"PK\x03\x04" + b"\x00" * 40,  # a zip / docx
        b"MZ\x90\x00" + b"\x00" * 40,  # a Windows executable
        b"   %PDF-1.4\n%%EOF",
    ],
    ids=["html", "svg", "svg-xml", "script-polyglot", "gif", "zip", "exe", "leading-space"],
)
def test_disguised_or_unsupported_content_is_refused(content):
    file = upload("photo.jpg", content, content_type="image/jpeg")
    assert error_code(validate_upload, file, max_bytes=MB) == "upload_type"


def test_empty_file_is_refused():
    assert error_code(validate_upload, upload("a.pdf", b""), max_bytes=MB) == "upload_empty"


def test_oversized_file_is_refused_with_the_cap_in_megabytes():
    content = image_bytes("PNG") + b"\x00" * (5 * MB)
    file = upload("big.png", content)
    assert error_code(validate_upload, file, max_bytes=5 * MB) == "upload_too_large"
    assert "5 MB" in error_message(validate_upload, file, max_bytes=5 * MB)
    assert "2.5 MB" in error_message(validate_upload, file, max_bytes=int(2.5 * MB))


def test_file_exactly_at_the_cap_is_accepted():
    content = image_bytes("PNG")
    assert validate_upload(upload("x.png", content), max_bytes=len(content)).kind == "png"


@pytest.mark.parametrize(
    "content",
    [
        image_bytes("PNG", size=(200, 200))[:-40],  # truncated PNG
        image_bytes("JPEG", size=(200, 200))[:300],  # truncated JPEG
        b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10,
        b"\xff\xd8\xff\xe0" + b"<html>fake jpeg</html>" * 10,
        pdf_bytes().replace(b"%%EOF", b"%%XXX"),  # no trailer: truncated upload
    ],
    ids=["truncated-png", "truncated-jpeg", "fake-png", "fake-jpeg", "pdf-without-eof"],
)
def test_corrupt_files_are_refused(content):
    assert error_code(validate_upload, upload("x", content), max_bytes=MB) == "upload_corrupt"


def test_images_are_trusted_by_magic_alone_when_verification_is_off():
    content = b"\x89PNG\r\n\x1a\n" + b"junk" * 10
    assert validate_upload(upload("x", content), max_bytes=MB, verify_images=False).kind == "png"


def test_decompression_bomb_is_refused():
    # 8000 x 8000 one-bit pixels compress to a few kilobytes but decode to 64 megapixels.
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 100_000
    code = error_code(validate_upload, upload("bomb.png", buffer.getvalue()), max_bytes=MB)
    assert code == "upload_image_too_large"


@pytest.mark.parametrize(
    "original", ['"><script>alert(1)</script>.jpg', "../../etc/passwd", "证件.PDF", "a.php.jpg"]
)
def test_stored_names_are_random_and_never_derived_from_the_client(original):
    detected = validate_upload(upload(original, image_bytes("JPEG")), max_bytes=MB)
    name = safe_upload_name(original, detected)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", name)
    assert name != safe_upload_name(original, "jpeg")
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", safe_upload_name(original, "pdf"))


def test_stored_name_rejects_unknown_kinds():
    with pytest.raises(ValueError):
        safe_upload_name("x.svg", "svg")


def test_messages_are_chinese_and_codes_stable():
    message = error_message(validate_id_number, "1", today=TODAY)
    assert "身份证" in message
    assert "统一社会信用代码" in error_message(validate_uscc, "1")
    assert "手机号码" in error_message(validate_mobile, "1")
    assert "PDF" in error_message(validate_upload, upload("x", b"<html>"), max_bytes=MB)


def test_tomorrow_is_a_future_birth_date():
    tomorrow = f"{TODAY + timedelta(days=1):%Y%m%d}"
    number = with_id_check("440304" + tomorrow + "123")
    assert error_code(validate_id_number, number, today=TODAY) == "id_number_birth_date"


def _pdf_with(change) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action_script(writer) -> None:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def _document_script(writer) -> None:
    """A document-level script in the /Names tree, run when the file opens."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("a"), writer._add_object(script)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(names)}
    )


def _launch_link(writer) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(0)] * 4),
            NameObject("/A"): DictionaryObject(
                {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): NameObject("/calc")}
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def _open_action(kind: str):
    """The document's open action of one kind (what the attack put in front of the reader)."""

    def change(writer) -> None:
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        target = {
            "/SubmitForm": {"/F": TextStringObject("https://example.com/collect")},
            "/URI": {"/URI": TextStringObject("https://example.com/")},
            "/GoToR": {"/F": TextStringObject("other.pdf"), "/D": TextStringObject("p1")},
            "/GoToE": {"/D": TextStringObject("p1")},
        }[kind]
        action = DictionaryObject({NameObject("/S"): NameObject(kind)})
        action.update({NameObject(key): value for key, value in target.items()})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return change


def _uri_link(writer) -> None:
    """An ordinary hyperlink in an exported document: it acts only when the reader clicks it."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(0)] * 4),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject("https://www.gov.cn/"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (_open_action("/SubmitForm"), "form submission"),
        (_open_action("/URI"), "opening a web address"),
        (_open_action("/GoToR"), "opening another file"),
        (_open_action("/GoToE"), "opening an embedded file"),
        (_document_script, "JavaScript"),
        (_open_action_script, "JavaScript"),
        (lambda w: w.add_attachment("run.exe", b"MZ..."), "embedded file"),
        (_launch_link, "launch"),
    ],
    ids=[
        "submit-form-on-open",
        "uri-on-open",
        "go-to-remote-on-open",
        "go-to-embedded-on-open",
        "document-script",
        "open-action-script",
        "embedded-file",
        "launch-link",
    ],
)
def test_pdfs_that_can_act_are_refused(change, what):
    content = _pdf_with(change)
    assert validators.pdf_active_content(io.BytesIO(content)) == what
    with pytest.raises(ValidationError) as refused:
        validators.validate_upload(upload("scan.pdf", content), max_bytes=10**7)
    assert refused.value.code == "upload_active_content"
    assert "出于安全原因不能接收" in str(refused.value.messages)


def test_an_escaped_name_is_read_as_the_name_it_spells():
    content = _pdf_with(_open_action_script).replace(b"/JavaScript", b"/J#61vaScript")
    assert validators.pdf_active_content(io.BytesIO(content)) == "JavaScript"


def test_html_inside_a_pdf_is_refused():
    content = pdf_bytes().replace(b"%%EOF", b"<html><script>alert(1)</script>\n%%EOF")
    assert validators.pdf_active_content(io.BytesIO(content)) == "HTML"


def test_an_ordinary_pdf_with_a_go_to_page_open_action_is_accepted():
    def go_to_first_page(writer):
        from pypdf.generic import ArrayObject, NameObject

        writer._root_object[NameObject("/OpenAction")] = ArrayObject(
            [writer.pages[0].indirect_reference, NameObject("/Fit")]
        )

    content = _pdf_with(go_to_first_page)
    assert validators.pdf_active_content(io.BytesIO(content)) is None
    assert validators.validate_upload(upload("scan.pdf", content), max_bytes=10**7).kind == "pdf"


def test_a_hyperlink_the_reader_clicks_is_not_an_action_that_runs_by_itself():
    content = _pdf_with(_uri_link)
    assert validators.pdf_active_content(io.BytesIO(content)) is None


@pytest.mark.parametrize(
    "mangle",
    [
        # pypdf raised OverflowError: a 500 on an upload and on /licences/check/
        lambda pdf: re.sub(rb"startxref\s+\d+", b"startxref\n9223372036854775808", pdf),
        lambda pdf: re.sub(rb"/Root \d+ 0 R", b"/Root 1 3 R", pdf),
        lambda pdf: re.sub(rb"/Size \d+", b"/Size 99999999999999999999", pdf),
    ],
    ids=["startxref-2-63", "root-not-there", "huge-size"],
)
def test_a_pdf_with_a_crafted_trailer_is_refused_as_unreadable_not_a_crash(mangle):
    content = mangle(pdf_bytes())
    assert content != pdf_bytes()
    try:
        kind = validators.validate_upload(upload("scan.pdf", content), max_bytes=10**7).kind
    except ValidationError as refused:
        assert refused.code == "upload_corrupt"
    else:  # pypdf may read past a broken trailer: then there is nothing active in it
        assert kind == "pdf"


def test_an_encrypted_pdf_cannot_be_checked_and_is_refused():
    content = _pdf_with(lambda w: w.encrypt("secret"))
    with pytest.raises(ValidationError) as refused:
        validators.validate_upload(upload("scan.pdf", content), max_bytes=10**7)
    assert refused.value.code == "upload_corrupt"


# --- A mutation fuzz over the PDF check (issue 28: crafted trailers were 500s) ---------------

NUMBER = re.compile(rb"\d+")
PDF_MUTATIONS = st.one_of(
    # a number of the file (an offset, a size, an object number, a length) made odd
    st.tuples(
        st.just("number"),
        st.integers(min_value=0, max_value=200),
        st.sampled_from([b"9223372036854775808", b"0", b"-1", b"99999999999999999999", b"1.5"]),
    ),
    # the file cut short, keeping its trailer's %%EOF so the check looks inside
    st.tuples(st.just("cut"), st.integers(min_value=10, max_value=2000), st.just(b"")),
    # a run of bytes overwritten
    st.tuples(st.just("bytes"), st.integers(min_value=0, max_value=2000), st.binary(max_size=12)),
    # a reference made to point nowhere, or a name replaced by an action's
    st.tuples(
        st.just("text"),
        st.integers(min_value=0, max_value=20),
        st.sampled_from([b"1 3 R", b"999999 0 R", b"/SubmitForm", b"/GoToR", b"<<", b"]"]),
    ),
)


def pdf_mutated(pdf: bytes, mutation) -> bytes:
    kind, where, what = mutation
    if kind == "number":
        numbers = list(NUMBER.finditer(pdf))
        match = numbers[where % len(numbers)]
        return pdf[: match.start()] + what + pdf[match.end() :]
    if kind == "cut":
        return pdf[: where % len(pdf)] + b"\n%%EOF\n"
    if kind == "bytes":
        at = where % len(pdf)
        return pdf[:at] + what + pdf[at + len(what) :]
    spaces = [m.start() for m in re.finditer(rb" ", pdf)]
    at = spaces[where % len(spaces)]
    return pdf[:at] + b" " + what + pdf[at:]


@given(mutation=PDF_MUTATIONS)
def test_a_mutated_pdf_is_accepted_or_refused_with_a_message_never_a_crash(mutation):
    content = pdf_mutated(pdf_bytes(), mutation)
    try:
        validators.validate_upload(upload("scan.pdf", content), max_bytes=10**7)
    except ValidationError as refused:
        assert refused.code in {"upload_corrupt", "upload_active_content", "upload_type"}
        assert refused.messages[0]  # a sentence for the applicant
