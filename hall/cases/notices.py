"""Issuing notices: numbered, dated, rendered once to PDF, stored with the case and hashed.

A notice is never changed after it is issued. Its content snapshot is kept in the row so that
the print view shows exactly what the PDF shows, and `notice_verify` checks the stored file
against the hash.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import asdict

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from hall.cases.numbering import notice_number_next
from hall.cases.pdf.document import NoticeDocument, NoticeTable, format_chinese_date
from hall.cases.pdf.layout import render_notice_pdf
from hall.common.people import display_name
from hall.models import Case, Notice

LAW = "《中华人民共和国行政许可法》"
REVIEW_RIGHTS = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)


def lookup_url(case: Case) -> str:
    return f"{settings.HALL_PUBLIC_URL}/lookup/?receipt={case.receipt_no}"


def _calendar_warning(case: Case) -> str:
    if not case.calendar_assumed_years:
        return ""
    years = "、".join(str(year) for year in case.calendar_assumed_years)
    return (
        f"注意：{years}年的法定节假日安排尚未公布，期限暂按周一至周五计算，公布后以实际工作日为准。"
    )


def _paragraphs(case: Case, kind: str, *, reasons: str, office: str) -> tuple[list[str], list[str]]:
    item = case.item.name
    received = format_chinese_date(timezone.localdate(case.materials_received_at))
    footer: list[str] = []
    if kind == Notice.Kind.ACCEPTANCE:
        paragraphs = [
            f"你（单位）于{received}提交的“{item}”申请，经审查，申请材料齐全、符合法定形式。"
            f"依据{LAW}第三十二条，本机关决定予以受理。",
            f"承诺办结日期：{format_chinese_date(case.promised_due_date)}；"
            f"法定办结期限：{format_chinese_date(case.statutory_due_date)}。"
            "期限按工作日计算，不含法定节假日；依法需要听证、检验、检测、鉴定和专家评审的，"
            "所需时间不计算在内。",
            "可凭收件编号和查询验证码在自助终端或网上办事大厅查询办理进度。",
        ]
    elif kind == Notice.Kind.DEEMED_ACCEPTANCE:
        paragraphs = [
            f"你（单位）于{received}提交的“{item}”申请材料，本机关未在五个工作日内"
            f"作出受理决定或一次性告知补正内容。依据{LAW}第三十二条，"
            f"自收到申请材料之日（{received}）起即为受理。",
            f"承诺办结日期：{format_chinese_date(case.promised_due_date)}；"
            f"法定办结期限：{format_chinese_date(case.statutory_due_date)}。",
        ]
    elif kind == Notice.Kind.CORRECTION:
        paragraphs = [
            f"你（单位）于{received}提交的“{item}”申请材料不齐全或者不符合法定形式。"
            f"依据{LAW}第三十二条，现将需要补正的全部内容一次性告知如下。",
            "请按下表补正后提交。补正材料收到后，本机关将在五个工作日内作出是否受理的决定；"
            "本告知书未列明的材料，不再要求补正。",
        ]
    elif kind == Notice.Kind.NON_ACCEPTANCE:
        paragraphs = [
            f"你（单位）于{received}提交的“{item}”申请，经审查，本机关决定不予受理。",
            f"理由：{reasons}",
        ]
        if office:
            paragraphs.append(f"该申请事项依法不属于本机关职权范围，请向{office}申请。")
        footer.append(REVIEW_RIGHTS)
    elif kind == Notice.Kind.REFERRAL:
        paragraphs = [
            f"你（单位）于{received}提出的“{item}”事项，不属于本大厅受理范围。",
            f"本大厅已将该事项转交{office}办理。转办理由：{reasons}",
            "首问责任人将跟踪办理结果并告知你（单位）。",
        ]
    else:
        paragraphs = [reasons] if reasons else []
    return paragraphs, footer


def notice_issue(
    *,
    case: Case,
    kind: str,
    issued_by: User | None,
    corrections: list[tuple[str, str]] | None = None,
    reasons: str = "",
    office: str = "",
    paragraphs: list[str] | None = None,
    footer_notes: list[str] | None = None,
    override_by: User | None = None,
    override_reason: str = "",
) -> Notice:
    """Number, render, store and hash one notice. Call inside the transaction that changes the
    case, so that a failure leaves neither the notice row nor the state change behind."""
    now = timezone.now()
    today = timezone.localdate(now)
    number = notice_number_next(kind=kind, on=today)
    default_paragraphs, default_footer = _paragraphs(case, kind, reasons=reasons, office=office)
    owner = case.owner
    document = NoticeDocument(
        hall_name=settings.HALL_NAME,
        title=str(Notice.Kind(kind).label),
        number=number,
        issued_on=today,
        applicant_name=case.applicant.name,
        item_name=case.item.name,
        paragraphs=paragraphs if paragraphs is not None else default_paragraphs,
        owner_name=display_name(owner) if owner else "系统自动",
        owner_window=str(case.window) if case.window_id else "网上办事大厅",
        table=NoticeTable(header=("需补正的材料", "补正原因"), rows=corrections)
        if corrections
        else None,
        verification_code=case.verification_code,
        lookup_url=lookup_url(case),
        receipt_no=case.receipt_no,
        footer_notes=footer_notes if footer_notes is not None else default_footer,
        calendar_warning=_calendar_warning(case),
    )
    pdf = render_notice_pdf(document)
    notice = Notice(
        case=case,
        kind=kind,
        number=number,
        issued_at=now,
        issued_by=issued_by,
        content=_content(document),
        sha256=hashlib.sha256(pdf).hexdigest(),
        one_time_override_by=override_by,
        one_time_override_reason=override_reason,
    )
    notice.pdf.save(f"{case.receipt_no}-{kind}-{today:%Y%m%d}.pdf", ContentFile(pdf), save=False)
    notice.save(force_insert=True)
    return notice


def _content(document: NoticeDocument) -> dict:
    content = asdict(document)
    content["issued_on"] = document.issued_on.isoformat()
    return content


def notice_document(notice: Notice) -> NoticeDocument:
    """Rebuild the document from the stored snapshot (for the print view)."""
    content = dict(notice.content)
    content["issued_on"] = datetime.date.fromisoformat(content["issued_on"])
    if content.get("table"):
        content["table"] = NoticeTable(**content["table"])
    return NoticeDocument(**content)


def notice_verify(notice: Notice) -> bool:
    with notice.pdf.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == notice.sha256
