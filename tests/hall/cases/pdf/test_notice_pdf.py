"""Written notices as PDF: every kind renders its Chinese content in an embedded font, the same
input gives the same bytes, and the print view shows the same content."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from hall.cases.pdf import fonts as notice_pdf
from hall.cases.pdf.document import NOTICE_TITLES, NoticeDocument, NoticeTable
from hall.cases.pdf.fonts import CJKFontMissingError, cjk_font_path, unsupported_characters
from hall.cases.pdf.layout import render_notice_pdf
from hall.cases.pdf.printing import notice_print_context, qr_svg

HALL = "深圳市福田区政务服务中心"
REVIEW_RIGHTS = (
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内向深圳市福田区人民政府申请行政复议，"
    "也可以自收到本决定书之日起六个月内依法向深圳市福田区人民法院提起行政诉讼。"
)

KINDS: dict[str, dict] = {
    "受理通知书": {
        "number": "福田政服受字〔2026〕第000123号",
        "paragraphs": [
            "你单位于2026年3月5日提交的食品经营许可（新办）申请，申请材料齐全、符合法定形式。"
            "根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，本中心决定予以受理。",
            "本事项法定办结时限为20个工作日，承诺办结时限为10个工作日，"
            "预计于2026年3月19日前作出决定。现场核查所需时间不计入上述时限。",
        ],
        "table": NoticeTable(
            header=["序号", "已收材料", "份数", "形式"],
            rows=[
                ["1", "食品经营许可申请书", "1", "原件"],
                ["2", "营业执照", "1", "复印件"],
                ["3", "食品安全管理制度文本", "1", "原件"],
            ],
            caption="已收取的申请材料",
        ),
        "notes": ["本通知书仅证明申请已被受理，不代表准予许可。"],
    },
    "一次性补正告知书": {
        "number": "福田政服补字〔2026〕第000124号",
        "paragraphs": [
            "你单位于2026年3月5日提交的食品经营许可（新办）申请材料不齐全、不符合法定形式。"
            "根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，"
            "现一次性告知需要补正的全部内容如下。",
            "请一次性补正上述材料。补正材料齐全、符合法定形式的，本中心将依法予以受理。",
        ],
        "table": NoticeTable(
            header=["序号", "需补正的材料", "补正原因"],
            rows=[
                ["1", "经营场所平面布局图", "未标注各功能区面积及设备布局"],
                ["2", "法定代表人身份证复印件", "复印件模糊不清，无法辨认"],
            ],
        ),
        "notes": ["补正材料请提交至原受理窗口，首问责任人将全程跟踪办理。"],
        "calendar_warning": (
            "补正期限跨入2027年，该年度法定节假日安排尚未公布，期限按普通周末推算。"
        ),
    },
    "不予受理决定书": {
        "number": "福田政服不受字〔2026〕第000007号",
        "paragraphs": [
            "你于2026年3月5日提交的户外广告设施设置许可申请，经审查，"
            "申请事项依法不需要取得行政许可。根据《中华人民共和国行政许可法》"
            "第三十二条第一款第（一）项的规定，决定不予受理。",
        ],
        "table": NoticeTable(
            header=["审查事项", "审查意见"],
            rows=[["临时性店招更换", "已纳入备案管理，无需申请许可"]],
            caption="不予受理的理由",
        ),
        "notes": [REVIEW_RIGHTS],
    },
    "转办告知书": {
        "number": "福田政服转字〔2026〕第000015号",
        "paragraphs": [
            "你提交的取水许可申请不属于本中心受理范围。根据《中华人民共和国行政许可法》"
            "第三十二条第一款第（二）项的规定，请向有权机关申请。首问责任人已将申请信息转交该机关，"
            "并将跟踪办理结果。",
        ],
        "table": NoticeTable(
            header=["承办机关", "办公地址", "联系电话"],
            rows=[["深圳市水务局", "深圳市福田区福中一路1001号", "0755-12345678"]],
        ),
        "notes": ["转办记录已存档，编号与本告知书文号一致。"],
    },
    "准予许可决定书": {
        "number": "福田政服许字〔2026〕第000321号",
        "paragraphs": [
            "你单位于2026年3月5日提出的食品经营许可申请，经审查，符合法定条件、标准。"
            "根据《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予行政许可。",
            "请于本决定作出之日起10个工作日内到3号窗口领取许可证件。",
        ],
        "table": NoticeTable(
            header=["许可证件", "证件编号", "有效期"],
            rows=[["食品经营许可证", "JY14403040012345", "2026年3月19日至2031年3月18日"]],
        ),
        "notes": [REVIEW_RIGHTS],
    },
    "不予许可决定书": {
        "number": "福田政服不许字〔2026〕第000009号",
        "paragraphs": [
            "你单位于2026年3月5日提出的食品经营许可申请，经现场核查，不符合法定条件。"
            "根据《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予行政许可，理由如下。",
        ],
        "table": NoticeTable(
            header=["序号", "核查项目", "不符合情况", "依据"],
            rows=[
                ["1", "食品处理区布局", "生熟加工区未分开设置", "《食品经营许可审查通则》第十条"],
                ["2", "防蝇防鼠设施", "未设置纱网和挡鼠板", "《食品经营许可审查通则》第十二条"],
            ],
        ),
        "notes": [REVIEW_RIGHTS],
    },
}


def build_notice(title: str, **overrides) -> NoticeDocument:
    kind = KINDS[title]
    fields = {
        "hall_name": HALL,
        "title": title,
        "number": kind["number"],
        "issued_on": date(2026, 3, 5),
        "applicant_name": "深圳市福田区鹏城餐饮管理有限公司",
        "item_name": "食品经营许可（新办）",
        "paragraphs": kind["paragraphs"],
        "table": kind["table"],
        "owner_name": "李晓华",
        "owner_window": "3号综合受理窗口",
        "verification_code": "7K3Q9PXD",
        "lookup_url": "https://hall.example.cn/n/7K3Q9PXD",
        "receipt_no": "FT20260305-000123",
        "footer_notes": kind["notes"],
        "calendar_warning": kind.get("calendar_warning", ""),
    }
    fields.update(overrides)
    return NoticeDocument(**fields)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def extracted_text(pdf: bytes) -> str:
    return squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def fonts_of(pdf: bytes) -> dict[str, object]:
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {title: render_notice_pdf(build_notice(title)) for title in NOTICE_TITLES}


def test_every_kind_of_notice_has_a_fixture():
    assert set(KINDS) == set(NOTICE_TITLES)


@pytest.mark.parametrize("title", NOTICE_TITLES)
def test_notice_shows_its_chinese_content(title, rendered):
    # Given a realistic notice of this kind
    doc = build_notice(title)
    # When it is rendered and its text extracted again
    pdf = rendered[title]
    assert pdf.startswith(b"%PDF-")
    text = extracted_text(pdf)
    # Then everything an applicant must read is there
    for expected in (
        HALL,
        title,
        doc.number,
        "2026年3月5日",
        doc.applicant_name,
        doc.item_name,
        doc.table.rows[0][1],
        doc.table.rows[-1][-1],
        doc.owner_name,
        doc.owner_window,
        doc.receipt_no,
        doc.verification_code,
        doc.lookup_url,
        *doc.paragraphs,
        *doc.footer_notes,
        "盖章处",
    ):
        assert squeeze(expected) in text, expected
    if doc.calendar_warning:
        assert squeeze(doc.calendar_warning) in text


@pytest.mark.parametrize("title", ["不予受理决定书", "不予许可决定书", "准予许可决定书"])
def test_decisions_state_the_right_to_review_and_litigation(title, rendered):
    text = extracted_text(rendered[title])
    assert "六十日内" in text and "行政复议" in text
    assert "六个月内" in text and "行政诉讼" in text


@pytest.mark.parametrize("title", NOTICE_TITLES)
def test_every_font_is_an_embedded_truetype_subset(title, rendered):
    fonts = fonts_of(rendered[title])
    assert fonts
    font_file = cjk_font_path().stat().st_size
    for name, font in fonts.items():
        # no built-in (Helvetica) or unembedded CID font (STSong-Light) anywhere
        assert font["/Subtype"] == "/TrueType", name
        assert re.fullmatch(r"/[A-Z]{6}\+.+", name), f"{name} is not a subset"
        descriptor = font["/FontDescriptor"].get_object()
        embedded = descriptor["/FontFile2"].get_object()
        assert 0 < len(embedded.get_data()) < font_file / 10, "subset, not the whole font"
        assert "/ToUnicode" in font
    assert len(rendered[title]) < 400_000


@pytest.mark.parametrize("title", NOTICE_TITLES)
def test_every_printed_character_maps_back_to_unicode(title, rendered):
    doc = build_notice(title)
    assert unsupported_characters(doc) == frozenset()
    printed = set(extracted_text(rendered[title]))
    own_text = {char for text in doc.texts() for char in text}
    assert own_text - {" ", "\n"} <= printed


def test_same_input_renders_the_same_bytes_even_in_another_process(rendered):
    title = "一次性补正告知书"
    again = render_notice_pdf(build_notice(title))
    assert again == rendered[title]
    code = (
        "import hashlib, sys;"
        "from tests.hall.cases.pdf.test_notice_pdf import build_notice;"
        "from hall.cases.pdf.layout import render_notice_pdf;"
        f"sys.stdout.write(hashlib.sha256(render_notice_pdf(build_notice({title!r}))).hexdigest())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hall.settings", "PYTHONHASHSEED": "random"}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=Path(__file__).resolve().parents[4],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == hashlib.sha256(rendered[title]).hexdigest()


def test_different_input_renders_different_bytes(rendered):
    other = render_notice_pdf(build_notice("受理通知书", receipt_no="FT20260305-000124"))
    assert other != rendered["受理通知书"]


def test_markup_in_any_field_is_printed_as_text():
    # reportlab paragraphs understand tags such as <img src=...>, which would read local files
    name = "<img src='/etc/passwd'/> & <b>张三</b>"
    pdf = render_notice_pdf(build_notice("受理通知书", applicant_name=name))
    assert squeeze(name) in extracted_text(pdf)


def test_long_table_spreads_over_pages_with_page_numbers():
    rows = [
        [str(n), f"第{n}项补正材料的名称", "材料未签字或未盖章，请补充后重新提交"]
        for n in range(60)
    ]
    table = NoticeTable(header=["序号", "材料名称", "补正原因"], rows=rows)
    pdf = render_notice_pdf(build_notice("一次性补正告知书", table=table))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 2
    text = extracted_text(pdf)
    assert f"第1页共{pages}页" in text and f"第{pages}页共{pages}页" in text
    assert "第59项补正材料的名称" in text


def test_minimal_notice_without_optional_parts():
    doc = build_notice(
        "受理通知书",
        table=None,
        verification_code="",
        lookup_url="",
        receipt_no="",
        footer_notes=(),
    )
    text = extracted_text(render_notice_pdf(doc))
    assert "受理通知书" in text and "李晓华" in text and "查询网址" not in text


def test_unsupported_characters_are_reported():
    doc = build_notice("受理通知书", applicant_name="张\U0001f600")
    assert unsupported_characters(doc) == frozenset({"\U0001f600"})


def test_table_rows_must_match_the_header():
    with pytest.raises(ValueError):
        NoticeTable(header=["序号", "材料"], rows=[["1"]])


def test_document_is_immutable_and_hashable():
    doc = build_notice("受理通知书", paragraphs=["一", "二"])
    assert doc.paragraphs == ("一", "二")
    assert hash(doc) == hash(build_notice("受理通知书", paragraphs=("一", "二")))


# --- the font --------------------------------------------------------------------------------


def test_default_font_is_the_npm_noto_serif_sc(monkeypatch):
    monkeypatch.delenv(notice_pdf.FONT_ENV_VAR, raising=False)
    path = cjk_font_path()
    assert path == notice_pdf.KNOWN_CJK_FONTS[0], "run `make install` (npm ci) for the font"
    assert path.read_bytes()[:4] == b"\x00\x01\x00\x00"


def test_font_from_the_environment_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(notice_pdf.FONT_ENV_VAR, str(tmp_path / "missing.ttf"))
    with pytest.raises(CJKFontMissingError, match="HALL_CJK_FONT"):
        cjk_font_path()


def test_cff_fonts_are_refused_with_a_reason(monkeypatch, tmp_path):
    otf = tmp_path / "NotoSansCJK.otf"
    otf.write_bytes(b"OTTO" + b"\x00" * 64)
    monkeypatch.setenv(notice_pdf.FONT_ENV_VAR, str(otf))
    with pytest.raises(CJKFontMissingError, match="cff"):
        cjk_font_path()


def test_missing_font_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv(notice_pdf.FONT_ENV_VAR, raising=False)
    monkeypatch.setattr(notice_pdf, "KNOWN_CJK_FONTS", (tmp_path / "none.ttf",))
    with pytest.raises(CJKFontMissingError, match="make install"):
        cjk_font_path()


# --- print view ------------------------------------------------------------------------------


def test_qr_svg_is_inline_svg_without_the_url_in_markup():
    svg = qr_svg("https://hall.example.cn/n/7K3Q9PXD?a=<b>")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<?xml" not in svg and "hall.example.cn" not in svg
    assert 'class="notice-qr"' in svg


def test_print_view_shows_the_notice_and_escapes_input():
    doc = build_notice("一次性补正告知书", applicant_name="<script>alert(1)</script>某公司")
    html = render_to_string("hall/notices/print.html", notice_print_context(doc))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;某公司" in html
    for expected in (
        HALL,
        "一次性补正告知书",
        doc.number,
        "2026年3月5日",
        "经营场所平面布局图",
        "首问责任人：李晓华",
        "办理窗口：3号综合受理窗口",
        "盖章处",
        doc.calendar_warning,
        "<svg",
    ):
        assert expected in html, expected
