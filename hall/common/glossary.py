"""Plain words for the hall's terms of art (issue 32): what a citizen reads beside 暂定期限,
容缺受理, 告知承诺, 首问责任人, 视为受理 and 超时默许 wherever they meet them (the `explain`
template tag). One sentence each, the law's meaning in everyday words."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Term(NamedTuple):
    label: Promise
    plain: Promise


TERMS = {
    "暂定期限": Term(
        _("暂定期限"),
        _(
            "明年的调休安排还没有公布，期限先按法定节假日推算；公布后按实际工作日调整，可能前后差几天。"
        ),
    ),
    "容缺受理": Term(
        _("容缺受理"),
        _("主要材料齐全、只缺次要材料时，窗口先受理、先审查，您在约定期限内补齐缺的材料即可。"),
    ),
    "告知承诺": Term(
        _("告知承诺"),
        _(
            "对部分证明材料，您可以书面承诺符合条件来代替提交证明；承诺不实的，许可可能被撤销并记入信用。"
        ),
    ),
    "首问责任人": Term(
        _("首问责任人"),
        _("第一个接待您的窗口工作人员，负责您这件事直到办完，中途有问题都可以找他（她）。"),
    ),
    "视为受理": Term(
        _("视为受理"),
        _("窗口在法定期限内没有告诉您是否受理的，依法当作已经受理，期限从收到材料之日算起。"),
    ),
    "超时默许": Term(
        _("超时默许"),
        _("并联审批中某个部门超过期限没有表态的，视为同意，不会因为它拖延而卡住您的办件。"),
    ),
}
