"""Every paragraph of legal wording the hall prints, in one place.

Notices are legal documents in Chinese, whatever the language of the page that issues them, so
these texts are not translated. Each function takes the facts and returns the paragraphs; the
services decide when a notice is issued, this module only says what it says. The articles cited
are those of the Administrative Licensing Law (行政许可法).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hall.cases.pdf.document import format_chinese_date
from hall.common.localised import Template
from hall.models import Case, Notice

LAW = "《中华人民共和国行政许可法》"
# Art. 38: a refusal states the right to administrative review or litigation.
REVIEW_RIGHTS = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)


def calendar_warning(case: Case) -> str:
    """Said on every notice whose dates cross a year without the State Council's holiday notice."""
    if not case.calendar_assumed_years:
        return ""
    years = "、".join(str(year) for year in case.calendar_assumed_years)
    return (
        f"注意：{years}年的调休安排尚未公布，期限已按法定节假日计算、未计调休，"
        "为暂定期限，公布后以实际工作日为准。"
    )


def due_in_message(case: Case, due: datetime.date) -> str:
    """A date for an SMS or inbox message, with the provisional caveat when it crosses a year
    without the State Council's holiday notice (the notices carry `calendar_warning`)."""
    if not case.calendar_assumed_years:
        return due.isoformat()
    return gettext("%(due)s（%(years)s年调休安排未公布，为暂定日期）") % {
        "due": due.isoformat(),
        "years": "、".join(str(year) for year in case.calendar_assumed_years),
    }


def intake_paragraphs(
    case: Case, kind: str, *, reasons: str, office: str
) -> tuple[list[str], list[str]]:
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


def application_paragraphs(*, bundle_name: str, received_on: datetime.date, kind: str) -> list[str]:
    """The paragraphs of a whole 一件事 application's notice (一次告知): one acceptance or one
    correction notice for all of its items, the table listing each item."""
    received = format_chinese_date(received_on)
    if kind == Notice.Kind.ACCEPTANCE:
        return [
            f"你（单位）于{received}提交的“{bundle_name}”申请，经审查，下列事项的申请材料齐全、"
            f"符合法定形式。依据{LAW}第三十二条，本机关决定予以受理，由有关部门并联办理。",
            "各事项的收件编号和承诺办结日期见下表。期限按工作日计算，不含法定节假日；"
            "依法需要听证、检验、检测、鉴定和专家评审的，所需时间不计算在内。",
            "可凭任一收件编号和查询验证码在自助终端或网上办事大厅查询整件事的办理进度。",
        ]
    if kind == Notice.Kind.DEEMED_ACCEPTANCE:
        return [
            f"你（单位）于{received}提交的“{bundle_name}”申请材料，本机关未在五个工作日内"
            f"作出受理决定或一次性告知补正内容。依据{LAW}第三十二条，下列事项自收到申请材料"
            f"之日（{received}）起即为受理。",
            "各事项的收件编号和承诺办结日期见下表。",
        ]
    return [
        f"你（单位）于{received}提交的“{bundle_name}”申请材料不齐全或者不符合法定形式。"
        f"依据{LAW}第三十二条，现将整件事各事项需要补正的全部内容一次性告知如下。",
        "请按下表补正后提交；同一份材料用于多个事项的，提交一份即可。补正材料收到后，"
        "本机关将在五个工作日内作出是否受理的决定；本告知书未列明的材料，不再要求补正。",
    ]


_CLOSING_PUNCTUATION = "。；;，,.！!、 \n"


def clause(text: str) -> str:
    """Someone's words (an opinion, reasons) set inside a sentence that brings its own
    punctuation: the trailing full stop or semicolon they typed is dropped, so the notice never
    reads "（同意。）。"."""
    return (text or "").strip().rstrip(_CLOSING_PUNCTUATION)


def grant_paragraphs(*, case: Case, opinions: list[str], reasons: str) -> list[str]:
    """准予行政许可决定书 (Art. 38 para. 1), with each department's opinion and Art. 44's
    ten working days for issuing the licence."""
    return [
        f"你（单位）申请的“{case.item.name}”，经{case.item.lead_department.name}"
        "牵头，会同有关部门并联审查，申请符合法定条件、标准。"
        f"依据{LAW}第三十八条第一款，决定准予行政许可。",
        *(["各部门审查意见：" + "；".join(opinions) + "。"] if opinions else []),
        *([reasons] if reasons else []),
        f"许可证件将自本决定作出之日起十个工作日内颁发、送达（{LAW}第四十四条）。",
    ]


def refusal_paragraphs(*, case: Case, reasons: str) -> list[str]:
    """不予行政许可决定书 (Art. 38 para. 2); the review rights go in the footer."""
    return [
        f"你（单位）申请的“{case.item.name}”，经审查，不符合法定条件、标准。"
        f"依据{LAW}第三十八条第二款，决定不予行政许可。",
        f"理由：{reasons}",
    ]


def department_correction_paragraphs(*, case: Case, department: str, stage: str = "") -> list[str]:
    """A department's correction notice during review (Art. 34: the organ reviews the materials;
    the hall's one-time rule: one notice per stage); the clock stops meanwhile."""
    where = f"在{stage}阶段由{department}审查中" if stage else f"在{department}审查中"
    return [
        f"你（单位）申请的“{case.item.name}”{where}，依据{LAW}第三十四条对申请材料进行审查，"
        "按照一次性告知制度，现将需要补正的全部内容一次性告知如下。",
        "补正期间审查期限中止计算，补正材料请交首问责任人。本告知书未列明的材料，"
        "本部门不再要求补正。",
    ]


def special_procedure_paragraphs(
    *, case: Case, department: str, procedure: str, reason: str, expected_days: int
) -> list[str]:
    """Art. 45: the procedure's time does not count toward the limit; the applicant is told the
    expected time in writing."""
    return [
        f"你（单位）申请的“{case.item.name}”，{department}审查中"
        f"需要进行{procedure}。事由：{reason}",
        f"依据{LAW}第四十五条，{procedure}所需时间不计算在审批期限内，"
        f"预计需要{expected_days}个工作日。结束后审查期限继续计算。",
    ]


def extension_paragraphs(
    *, case: Case, department: str, reason: str, days: int, due_date: datetime.date
) -> list[str]:
    """Art. 42: an extension approved by the head, with its reason told to the applicant."""
    return [
        f"你（单位）申请的“{case.item.name}”，{department}"
        f"因{reason}，经本部门负责人批准，审查期限延长"
        f"{days}个工作日，延长后的期限为"
        f"{due_date.year}年{due_date.month}月{due_date.day}日。",
        *(
            [f"本申请的法定办结期限相应延至{format_chinese_date(case.statutory_due_date)}。"]
            if case.statutory_due_date
            else []
        ),
        f"依据{LAW}第四十二条。",
    ]


# --- messages (SMS, email and the portal inbox) -------------------------------------------
# Unlike the notices these follow the page's language; each body is filled with `%` by the
# service that sends it.


class MessageKind(TextChoices):
    """What a message (`Notification.kind`) is about: one member per kind of message the hall
    sends, beside the wording of the messages. A message that follows a case event carries the
    event's `CaseAction` instead (`hall.outbox.queue.owner_message`)."""

    ACCEPTED = "accepted", _("受理通知")
    ACCESS_QUESTION = "access_question", _("个人信息查看询问")
    AGENCY_ASSIGNED = "agency_assigned", _("指派代办员")
    APPLICANT_CONTACT_CHANGED = "applicant_contact_changed", _("联系方式变更")
    APPOINTMENT = "appointment", _("预约")
    COMMITMENT_FALSE = "commitment_false", _("告知承诺核查不实")
    CORRECTION = "correction", _("补正告知")
    CORRECTION_SUPPLIED = "correction_supplied", _("补正材料已到")
    CORRECTION_UPLOADED = "correction_uploaded", _("申请人上传补正材料")
    DEADLINE_MOVED = "deadline_moved", _("期限调整")
    DECIDED = "decided", _("审批决定")
    DECISION_REVOKED = "decision_revoked", _("许可决定撤销")
    DELIVERED = "delivered", _("结果送达")
    EXTENSION = "extension", _("延长审批期限")
    EXTENSION_REJECTED = "extension_rejected", _("延长期限未获批准")
    EXTENSION_REQUESTED = "extension_requested", _("延长期限待审批")
    LICENCE_REVOKED = "licence_revoked", _("电子证照撤销")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ORDER_ANSWERED = "order_answered", _("工单部门答复")
    ORDER_CALLBACK = "order_callback", _("工单回访")
    ORDER_CHASED = "order_chased", _("催办通知书")
    ORDER_DISPATCHED = "order_dispatched", _("工单派单")
    ORDER_ESCALATED = "order_escalated", _("工单提交协调")
    ORDER_EXTENSION = "order_extension", _("工单延期")
    ORDER_RECEIVED = "order_received", _("诉求已受理")
    ORDER_REPLIED = "order_replied", _("诉求答复")
    ORDER_RETURNED = "order_returned", _("工单退回")
    ORDER_WARNING = "order_warning", _("工单预警")
    PICKUP_CODE = "pickup_code", _("取件码")
    WEBHOOK_FAILING = "webhook_failing", _("事件推送持续失败")
    WEBHOOK_PAUSED = "webhook_paused", _("事件推送已暂停")
    BENEFIT_LAPSED = "benefit_lapsed", _("免申即享核实结果")
    BENEFIT_OFFERED = "benefit_offered", _("免申即享")
    PROXY_ACTED = "proxy_acted", _("亲友代办告知")
    PROXY_GRANTED = "proxy_granted", _("亲友代办授权生效")
    PROXY_REVOKED = "proxy_revoked", _("亲友代办授权撤销")
    RATING_APPEAL = "rating_appeal", _("差评申诉")
    RATING_FOLLOW_UP = "rating_follow_up", _("差评整改")
    RATING_INVITE = "rating_invite", _("邀请评价")
    REFERRED = "referred", _("转办告知")
    REMINDER = "reminder", _("督办提醒")
    REVIEW_DEEMED = "review_deemed", _("超时默许")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序")
    TOLERANCE = "tolerance", _("容缺受理")
    WARNING_RED = "warning_red", _("红牌超时")
    WARNING_YELLOW = "warning_yellow", _("黄牌预警")
    WRITTEN_OPINION_OVERDUE = "written_opinion_overdue", _("书面意见逾期")


@dataclass(frozen=True)
class Message:
    """A message's subject and body. Each is a `Template`: `message.body % values` keeps what it
    needs to be written again in the recipient's language (hall.common.localised)."""

    subject: Template
    body: Template

    def __post_init__(self) -> None:
        for name in ("subject", "body"):
            value = getattr(self, name)
            if not isinstance(value, Template):
                object.__setattr__(self, name, Template(value))


AGENT_ASSIGNED = Message(
    subject=_("已为您指派代办员"),
    body=_("您的办件 %(receipt_no)s 已由代办员 %(agent)s 全程代办。"),
)
REFERRED = Message(
    subject=_("转办告知"),
    body=_("您申请的“%(item)s”已转%(office)s办理。"),
)
ACCEPTED = Message(
    subject=_("受理通知"),
    body=_(
        "您申请的“%(item)s”已于%(date)s受理，收件编号%(receipt)s，承诺办结日期%(due)s。查询验证码%(code)s。"
    ),
)
CORRECTION_REQUESTED = Message(
    subject=_("补正告知"),
    body=_("您申请的“%(item)s”需要补正材料：%(names)s。详见一次性补正告知书%(number)s。"),
)
APPLICATION_ACCEPTED = Message(
    subject=_("受理通知"),
    body=_(
        "您申请的“%(bundle)s”（%(count)s个事项）已于%(date)s受理，收件编号%(receipt)s，"
        "最晚承诺办结日期%(due)s。查询验证码%(code)s。"
    ),
)
APPLICATION_CORRECTION_REQUESTED = Message(
    subject=_("补正告知"),
    body=_(
        "您申请的“%(bundle)s”需要补正材料：%(names)s。补正内容已一次性告知，"
        "详见一次性补正告知书%(number)s。"
    ),
)
DEEMED_ACCEPTED = Message(
    subject=_("视为受理通知"),
    body=_(
        "您申请的“%(item)s”，本机关未在收到材料后五个工作日内告知补正，依法自%(date)s起视为受理，"
        "收件编号%(receipt)s，承诺办结日期%(due)s。查询验证码%(code)s。"
    ),
)
DEADLINE_MOVED = Message(
    subject=_("办理期限调整"),
    body=_(
        "%(year)s年节假日安排公布后，您申请的“%(item)s”承诺办结日期调整为%(due)s，"
        "法定办结期限为%(statutory)s。"
    ),
)
INTAKE_MOVED = Message(
    subject=_("受理期限调整"),
    body=_("%(year)s年节假日安排公布后，您申请的“%(item)s”的受理决定期限调整为%(due)s。"),
)
NOT_ACCEPTED = Message(
    subject=_("不予受理决定"),
    body=_("您申请的“%(item)s”不予受理，理由：%(reasons)s。"),
)
EXTENDED = Message(
    subject=_("延长审批期限告知"),
    body=_("%(department)s审查期限延长%(days)s个工作日，理由：%(reason)s。"),
)
DECIDED = Message(
    subject=_("审批决定"),
    body=_("您申请的“%(item)s”已作出%(decision)s决定，可到%(window)s领取或选择邮寄。"),
)
CLOSED = Message(
    subject=_("办结通知"),
    body=_("您申请的“%(item)s”已办结（%(method)s）。欢迎对本次服务进行评价。"),
)
DEPARTMENT_CORRECTION = Message(
    subject=_("补正告知"),
    body=_("%(department)s审查您的申请需要补正：%(names)s。请交首问责任人%(owner)s。"),
)
SPECIAL_PROCEDURE = Message(
    subject=_("特别程序告知"),
    body=_("您的申请需要进行%(kind)s，预计%(days)s个工作日，期间不计入审批期限。"),
)
# To the officers, head and first-contact owner of a deemed step: one step, or a batch's steps
# (one line each, the step's body after its receipt number).
STEP_DEEMED = Message(
    subject=_("超时默许 %(receipt)s"),
    body=_(
        "%(department)s未在%(due)s前作出审查意见，已视为同意并记录逾期。请于%(follow)s前补交书面意见。"
    ),
)
STEPS_DEEMED = Message(subject=_("超时默许 %(count)d 件"), body=_("%(receipt)s：%(line)s"))

DEEMED_APPROVAL = Message(
    subject=_("审批进度"),
    body=_("您的“%(item)s”申请中，%(department)s的审查已超时，依规视为同意。"),
)


def owner_told(*, case: Case, label: str) -> tuple[str, str]:
    """The subject and body telling the first-contact owner of a change on their case."""
    return (
        f"{case.receipt_no} {label}",
        f"您首问负责的办件 {case.receipt_no}（{case.item.name}）：{label}。",
    )


def shared_licences_paragraph(shared: list[tuple[str, str]]) -> str:
    """国务院令第716号第十条: the materials taken from the licence library, by licence number."""
    listed = "；".join(f"{name}（证照编号 {number}）" for name, number in shared)
    return f"以下材料已通过电子证照共享获取，申请人无需提交：{listed}。"


def instant_reasons(conditions: list[str]) -> str:
    return "本申请满足秒批规则的全部条件：" + "；".join(conditions) + "。"


def instant_grant_paragraphs(*, case: Case, reasons: str) -> list[str]:
    """准予行政许可决定书 made by the system under the item's instant approval rules (秒批),
    with the rules that decided and the after-the-fact sampling that may revoke it."""
    return [
        f"你（单位）申请的“{case.item.name}”，经{case.item.lead_department.name}设定的秒批规则"
        f"由系统自动审查，申请符合法定条件、标准。依据{LAW}第三十八条第一款，决定准予行政许可。",
        reasons,
        "本决定为系统依规则即时作出，发证机关将按比例事后抽查；"
        "经抽查发现不符合条件的，依法撤销本决定。",
        f"许可证件将自本决定作出之日起十个工作日内颁发、送达（{LAW}第四十四条）。",
    ]


# --- the messages of the reviews, the window, the queue, ratings and agency ------------------

LICENCE_REVOKED = Message(
    subject=_("电子证照已撤销"),
    body=_("您的%(name)s（编号 %(number)s）已被撤销，理由：%(reason)s。"),
)


EXTENSION_REJECTED = Message(
    subject=_("延长审批期限未获批准"),
    body=_(
        "办件 %(receipt_no)s 延长 %(days)s 个工作日的申请未获批准，理由：%(reason)s。"
        "请在原审查期限内作出审查结论。"
    ),
)


ACCESS_QUESTION = Message(
    subject=_("申请人询问个人信息查看事由"),
    body=_(
        "申请人 %(applicant)s 询问 %(at)s %(who)s%(what)s%(case)s的事由（访问记录 %(access)s）。"
        "请核实该次查看是否因办理职责所需，并在 5 个工作日内答复申请人。"
    ),
)


APPLICANT_CONTACT_CHANGED = Message(
    subject=_("联系方式变更提醒"),
    body=_(
        "您在政务服务大厅登记的%(fields)s已于 %(at)s 变更。"
        "如非本人申请，请立即致电大厅或携带证件到窗口处理。"
    ),
)


APPOINTMENT = Message(
    subject=_("预约成功"),
    body=_(
        "您已预约 %(date)s %(time)s 到%(hall)s办理“%(item)s”，预约码 %(code)s。"
        "请在预约时间前后 %(early)s 分钟内到自助终端签到取号。"
    ),
)


APPOINTMENT_AGAIN = Message(
    subject=_("预约提醒"),
    body=_(
        "提醒：您预约了明天 %(date)s %(time)s 到%(hall)s办理“%(item)s”，预约码 "
        "%(code)s。不能前来请在网上办事大厅取消预约。"
    ),
)


CORRECTION_UPLOADED = Message(
    subject=_("补正材料待核对 %(receipt)s"),
    body=_("申请人已在网上提交补正材料：%(names)s。请核对后作出受理决定。"),
)


RATING_INVITE = Message(
    subject=_("邀请评价"),
    body=_(
        "您办理的“%(item)s”（收件编号 %(receipt_no)s）已办结，欢迎登录网上办事大厅对本次"
        "服务作出评价：%(url)s"
    ),
)


AGENCY_ASSIGNED = Message(
    subject=_("代办指派：%(receipt_no)s"),
    body=_("请全程代办办件 %(receipt_no)s（%(item)s），申请人：%(applicant)s。"),
)


TOLERANCE = Message(
    subject=_("容缺受理"),
    body=_("您的“%(item)s”申请已容缺受理，请于 %(deadline)s 前补齐：%(names)s。"),
)


COMMITMENT_FALSE = Message(
    subject=_("告知承诺核查不实"),
    body=_("您就“%(item)s”所作的告知承诺经核查不实（%(note)s）。%(revoked)s该情况已记入信用记录。"),
)


EXTENSION_REQUESTED = Message(
    subject=_("延长期限待审批 %(receipt)s"),
    body=_("%(officer)s申请延长 %(days)s 个工作日：%(reason)s"),
)


DEADLINE_MOVED_TO_STAFF = Message(
    subject=_("审查期限调整 %(receipt)s"),
    body=_("节假日安排更新后，%(department)s审查“%(item)s”的期限由%(before)s调整为%(after)s。"),
)


DECISION_REVOKED = Message(
    subject=_("许可决定已撤销"),
    body=_("您申请的“%(item)s”的许可决定已依法撤销。理由：%(reason)s。依据：%(basis)s"),
)


PICKUP_CODE = Message(
    subject=_("取件码"),
    body=_(
        "您的“%(item)s”办理结果已放入%(place)s %(cell)s 号柜，取件码 %(code)s，"
        "仅可使用一次，请勿告知他人。"
    ),
)


CORRECTION_SUPPLIED = Message(
    subject=_("补正材料已到 %(receipt)s"),
    body=_("补正材料已收到，审查期限恢复计算，到期日%(due)s。"),
)


WRITTEN_OPINION_OVERDUE = Message(
    subject=_("书面意见逾期 %(receipt)s"),
    body=_("%(department)s对“%(item)s”超时默许后，书面意见应于%(due)s前补交，已逾期。"),
)


RATING_APPEALED = Message(
    subject=_("差评答复被申诉：%(receipt_no)s"),
    body=_("%(appeal)s"),
)


STEP_WARNING = Message(
    subject=_("%(label)s %(receipt)s"),
    body=_("%(department)s审查“%(item)s”的期限为%(due)s。"),
)


ISSUANCE_WARNING = Message(
    subject=_("%(label)s %(receipt)s"),
    body=_("“%(item)s”的许可证件应于%(due)s前颁发、送达（行政许可法第四十四条）。"),
)


# --- 亲友代办 (hall.cases.proxies, hall.proxies) ------------------------------------------------

PROXY_CONSENT_SMS = _(
    "【%(hall)s】%(proxy)s（手机%(proxy_phone)s）申请作为您的亲友代办人，代您办理%(scope)s，"
    "至%(until)s。如您同意，请把验证码 %(code)s 告诉他/她（%(minutes)s 分钟内有效）；"
    "如不同意或不认识此人，请勿告知任何人。"
)
PROXY_GRANTED = Message(
    subject=_("亲友代办授权已生效"),
    body=_(
        "您已授权%(proxy)s（%(relationship)s）代您办理%(scope)s，有效期%(from)s至%(until)s。"
        "您可随时在网上办事大厅“亲友代办”页面或到大厅窗口撤销授权。"
    ),
)
PROXY_REVOKED = Message(
    subject=_("亲友代办授权已撤销"),
    body=_("%(principal)s对%(proxy)s的亲友代办授权（%(scope)s）已于%(at)s撤销，即时停止。"),
)
PROXY_BOOKED = Message(
    subject=_("亲友为您预约"),
    body=_("%(proxy)s为您预约了%(when)s到大厅办理“%(item)s”，预约码见另一条短信。"),
)
PROXY_ACTED = Message(
    subject=_("亲友代您办理：%(receipt)s"),
    body=_(
        "%(proxy)s已代您%(act)s（%(item)s，收件编号%(receipt)s）。"
        "如非您授权，请到大厅窗口或在网上办事大厅撤销授权。"
    ),
)


class ProxyAct(TextChoices):
    """What a proxy did for the principal (the event's `details["act"]`)."""

    FILED = "filed", _("提交申请")
    CORRECTION = "correction", _("上传补正材料")
    SUPPLEMENT = "supplement", _("补交容缺材料")
    DELIVERY = "delivery", _("选择送达方式")
    RATED = "rated", _("评价服务")


# --- 免申即享 (hall.benefits) -------------------------------------------------------------------

BENEFIT_OFFERED = Message(
    subject=_("免申即享：%(benefit)s"),
    body=_(
        "经比对本厅已有的信息，%(name)s可能符合“%(benefit)s”（%(what)s），无需申请、无需提交材料。"
        "请打开 %(link)s 确认领取或选择不需要；也可登录网上办事大厅或到大厅窗口答复。"
    ),
)
BENEFIT_LAPSED = Message(
    subject=_("免申即享核实结果：%(benefit)s"),
    body=_("经部门核实，%(name)s目前不再符合“%(benefit)s”的条件（%(condition)s），本次不予发放。"),
)
# The decision's reasons (a notice: in Chinese whatever the page's language).
BENEFIT_GRANT_REASONS = (
    "依据%(basis)s，经本人确认、%(benefit)s第 %(batch)s 批名单确认，符合：%(conditions)s。"
)


# --- failing webhook receivers (hall.api.subscriptions) --------------------------------------

WEBHOOK_FAILING = Message(
    subject=_("事件推送失败：%(subscription)s"),
    body=_(
        "向 %(url)s 推送的事件多次重试后仍失败（%(failed)s 条，最近一次错误：%(error)s），"
        "自 %(since)s 起持续失败。请检查接收地址；持续失败 7 天将暂停推送。"
    ),
)
WEBHOOK_PAUSED = Message(
    subject=_("事件推送已暂停：%(subscription)s"),
    body=_(
        "向 %(url)s 的推送自 %(since)s 起持续失败已满 7 天，已暂停。"
        "修复接收地址后，请安全管理员在后台重新启用该订阅。"
    ),
)


# --- 接诉即办: work orders (hall.orders) ---------------------------------------------------------

ORDER_RECEIVED = Message(
    subject=_("诉求已受理"),
    body=_("您反映的“%(title)s”已受理，工单编号%(number)s，将于%(due)s前答复您。"),
)
ORDER_DISPATCHED = Message(
    subject=_("新派工单 %(number)s"),
    body=_(
        "工单%(number)s（%(kind)s）“%(title)s”派至本部门：%(task)s。请于%(due)s前办理答复，如不属本部门职责请于%(return_until)s前退回并说明理由。"
    ),
)
ORDER_RETURNED = Message(
    subject=_("工单退回 %(number)s"),
    body=_("%(department)s退回工单%(number)s，理由：%(reason)s。请决定改派或坚持派单。"),
)
ORDER_ESCALATED = Message(
    subject=_("工单需协调 %(number)s"),
    body=_("工单%(number)s“%(title)s”%(why)s，请协调确定承办部门。"),
)
ORDER_ANSWERED = Message(
    subject=_("工单已答复 %(number)s"),
    body=_("承办部门已全部答复工单%(number)s，请答复市民后办结。"),
)
ORDER_REPLIED = Message(
    subject=_("诉求答复"),
    body=_("您反映的“%(title)s”（工单%(number)s）答复如下：%(reply)s"),
)
ORDER_CHASED = Message(
    subject=_("催办通知书 %(number)s"),
    body=_(
        "工单%(number)s“%(title)s”已超过办理时限（%(due)s），请立即办理并答复。逾期五个工作日仍未答复的，将在监督页面公开通报。"
    ),
)
ORDER_WARNING = Message(
    subject=_("%(light)s 工单 %(number)s"),
    body=_("工单%(number)s“%(title)s”办理时限为%(due)s，当前%(light)s。"),
)
ORDER_EXTENSION = Message(
    subject=_("工单延期申请 %(number)s"),
    body=_("工单%(number)s申请延期%(days)s个工作日，理由：%(reason)s。"),
)
ORDER_CALLBACK = Message(
    subject=_("诉求回访"),
    body=_(
        "您反映的“%(title)s”（工单%(number)s）已办结。请告诉我们问题是否解决、是否满意：%(link)s"
    ),
)
