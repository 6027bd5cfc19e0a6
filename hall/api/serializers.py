"""What the API reads and writes. Field names in English, descriptions (help_text) in Chinese;
choices carry their codes, with a `*_label` beside for people."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from approvals.models import (
    CaseStep,
    MaterialRequirement,
    ServiceItem,
    StepExtension,
    StepSuspension,
)
from hall.cases.actions import action_label
from hall.cases.selectors import application_status
from hall.models import Applicant, Case, CaseEvent, CaseMaterial, Notice, WorkOrder


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = MaterialRequirement
        fields = [
            "id",
            "name",
            "form",
            "copies",
            "applicant_type",
            "question_key",
            "question_answer",
            "licence_type",
        ]


class BasicElementsSerializer(serializers.Serializer):
    """The six basic elements every catalogue publishes for an item (事项六要素)."""

    事项名称 = serializers.CharField(source="name")
    事项编码 = serializers.CharField(source="code")
    事项类型 = serializers.CharField(source="category_name")
    主管部门 = serializers.CharField(source="lead_department.name")
    实施机关 = serializers.CharField(source="lead_department.name")
    设定和实施依据 = serializers.CharField(source="legal_basis")


class ItemSerializer(serializers.ModelSerializer):
    basic_elements = BasicElementsSerializer(source="*", read_only=True, help_text=_("事项六要素"))
    lead_department = serializers.CharField(
        source="lead_department.name", help_text=_("牵头部门"), read_only=True
    )
    lead_department_code = serializers.CharField(
        source="lead_department.code", help_text=_("牵头部门编码"), read_only=True
    )
    materials = MaterialSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "version",
            "name",
            "basic_elements",
            "handling_type",
            "applicant_type",
            "lead_department",
            "lead_department_code",
            "legal_basis",
            "conditions",
            "fee",
            "online_filing",
            "max_visits",
            "statutory_days",
            "promised_days",
            "effective_from",
            "effective_to",
            "materials",
        ]


class ApplicantInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Applicant.Kind.choices, help_text=_("申请人类型"))
    name = serializers.CharField(max_length=200, help_text=_("姓名或名称"))
    phone = serializers.CharField(max_length=20, help_text=_("手机号码"))
    id_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=_("居民身份证号码（个人）")
    )
    uscc = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=_("统一社会信用代码（企业）")
    )
    legal_representative = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("法定代表人（企业）")
    )


class MaterialInputSerializer(serializers.Serializer):
    requirement = serializers.IntegerField(
        min_value=1, help_text=_("申请材料的 id（事项目录中材料的 id）")
    )
    uploads = serializers.ListField(
        child=serializers.CharField(max_length=40),
        min_length=1,
        max_length=5,
        help_text=_("先通过 POST /api/v1/uploads/ 上传得到的文件标识"),
    )


class CaseFileSerializer(serializers.Serializer):
    item_code = serializers.CharField(max_length=40, help_text=_("事项编码（现行版本）"))
    applicant = ApplicantInputSerializer()
    answers = serializers.DictField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text=_("受理问题的回答，键为问题标识"),
    )
    materials = MaterialInputSerializer(
        many=True,
        required=False,
        help_text=_("随申报提交的材料；电子证照库已有的证照无需提交（免证办）"),
    )

    def validate_materials(self, value):
        seen = [entry["requirement"] for entry in value]
        if len(seen) != len(set(seen)):
            raise serializers.ValidationError(_("同一材料只能列一次。"))
        return value


class CorrectionInputSerializer(serializers.Serializer):
    materials = MaterialInputSerializer(
        many=True, min_length=1, help_text=_("补正告知书所列材料及其先行上传的文件")
    )

    def validate_materials(self, value):
        seen = [entry["requirement"] for entry in value]
        if len(seen) != len(set(seen)):
            raise serializers.ValidationError(_("同一材料只能列一次。"))
        return value


class UploadSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text=_("申报时引用的文件标识"))
    kind = serializers.CharField(help_text=_("按内容识别的类型：pdf、png、jpeg"))
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF、PNG 或 JPEG，大小与像素限制同网上办事大厅"))


class ChecklistEntrySerializer(serializers.Serializer):
    requirement = serializers.IntegerField(source="requirement_id", allow_null=True)
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseMaterial.Status.choices)
    uploads = serializers.IntegerField(help_text=_("已上传的文件数"))
    licence = serializers.CharField(
        allow_null=True, help_text=_("取自电子证照库的证照编号（免证办），否则为空")
    )


class DecisionSummarySerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("grant", _("准予许可")), ("refuse", _("不予许可"))]
    )
    decided_at = serializers.DateTimeField()
    revoked = serializers.BooleanField(help_text=_("准予许可决定事后被依法撤销（第六十九条）"))
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField(allow_blank=True)
    revocation_basis = serializers.CharField(allow_blank=True)


class CaseSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    decision = serializers.SerializerMethodField(
        help_text=_("作出决定后才有；撤销的许可决定标明撤销时间、理由和依据")
    )

    @extend_schema_field(DecisionSummarySerializer(allow_null=True))
    def get_decision(self, case: Case) -> dict | None:
        decision = getattr(case, "decision", None)  # no row before review starts
        if decision is None or not decision.decision:
            return None
        return DecisionSummarySerializer(
            {
                "decision": decision.decision,
                "decided_at": decision.decided_at,
                "revoked": decision.revoked_at is not None,
                "revoked_at": decision.revoked_at,
                "revocation_reason": decision.revocation_reason,
                "revocation_basis": decision.revocation_basis,
            }
        ).data

    class Meta:
        model = Case
        fields = [
            "receipt_no",
            "status",
            "status_label",
            "item_code",
            "item_name",
            "channel",
            "materials_received_at",
            "intake_due_date",
            "accepted_on",
            "deemed_accepted",
            "promised_due_date",
            "statutory_due_date",
            "closed_at",
            "created_at",
            "decision",
        ]


class EventSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField(help_text=_("动作名称"))

    class Meta:
        model = CaseEvent
        fields = ["at", "action", "action_label"]

    def get_action_label(self, event: CaseEvent) -> str:
        return str(action_label(event.action))


class StepSerializer(serializers.ModelSerializer):
    receipt_no = serializers.CharField(source="case.receipt_no", read_only=True)
    item_name = serializers.CharField(source="case.item.name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    claimed = serializers.SerializerMethodField(help_text=_("是否已被认领"))

    class Meta:
        model = CaseStep
        fields = [
            "id",
            "receipt_no",
            "item_name",
            "department_code",
            "status",
            "status_label",
            "due_at",
            "claimed",
            "decided_at",
        ]

    def get_claimed(self, step: CaseStep) -> bool:
        return step.claimed_by_id is not None


class StepDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text=_("同意为 true，不同意为 false"))
    opinion = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text=_("审查意见；不同意时必填")
    )


class FiguresSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    by_status = serializers.ListField(child=serializers.DictField())
    warnings_by_department = serializers.ListField(child=serializers.DictField())
    computed_at = serializers.DateTimeField()


class NoticeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    pdf = serializers.SerializerMethodField(help_text=_("PDF 文件地址"))

    class Meta:
        model = Notice
        fields = ["id", "kind", "kind_label", "number", "issued_at", "pdf"]

    def get_pdf(self, notice: Notice) -> str:
        return f"/api/v1/cases/{notice.case.receipt_no}/notices/{notice.pk}/pdf/"


class CorrectionItemSerializer(serializers.Serializer):
    material = serializers.CharField(max_length=200, help_text=_("需要补正的材料"))
    reason = serializers.CharField(max_length=1000, help_text=_("补正原因"))


class CorrectionRequestSerializer(serializers.Serializer):
    items = CorrectionItemSerializer(many=True, help_text=_("一次列出需要补正的全部材料"))

    def validate_items(self, items):
        if not items:
            raise serializers.ValidationError(_("请列出需要补正的全部材料及原因。"))
        return items


class SpecialProcedureSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[c for c in StepSuspension.Kind.choices if c[0] != "correction"],
        help_text=_("特别程序类型（不计入审查期限）"),
    )
    reason = serializers.CharField(max_length=1000, help_text=_("事由"))
    expected_days = serializers.IntegerField(
        min_value=1, max_value=250, help_text=_("预计所需工作日")
    )


class ExtensionRequestSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=15, help_text=_("延长的工作日（至多 10 日，联办件 15 日）")
    )
    reason = serializers.CharField(max_length=1000, help_text=_("延长理由"))


class ExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = StepExtension
        fields = ["id", "days", "reason", "status", "requested_at"]


class GrantSerializer(serializers.Serializer):
    item = serializers.CharField()
    item_code = serializers.CharField()
    holder = serializers.CharField(help_text=_("被许可人（个人只显示姓氏）"))
    number = serializers.CharField(help_text=_("决定文号"))
    decided_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(
        choices=[("valid", _("有效")), ("revoked", _("已撤销"))],
        help_text=_("已撤销的许可决定仍在公示中，标明撤销日期和依据（行政许可法第六十九条）"),
    )
    revoked_on = serializers.DateField(allow_null=True)
    revocation_basis = serializers.CharField(allow_blank=True)


class LicenceVerificationSerializer(serializers.Serializer):
    number = serializers.CharField(source="licence.number", help_text=_("证照编号"))
    name = serializers.CharField(source="licence.name", help_text=_("证照名称"))
    scope = serializers.CharField(source="licence.scope", help_text=_("许可事项"))
    holder = serializers.CharField(help_text=_("持证人（个人只显示姓氏）"))
    holder_number = serializers.CharField(
        help_text=_("个人：身份证号码（打码）；企业：统一社会信用代码")
    )
    department = serializers.CharField(source="licence.department.name", help_text=_("发证部门"))
    valid_from = serializers.DateField(source="licence.valid_from")
    valid_until = serializers.DateField(
        source="licence.valid_until", allow_null=True, help_text=_("空为长期")
    )
    state = serializers.ChoiceField(
        choices=[("valid", _("有效")), ("revoked", _("已撤销")), ("expired", _("已过期"))],
        help_text=_("今天的状态"),
    )
    revoked_at = serializers.DateTimeField(source="licence.revoked_at", allow_null=True)
    revoked_reason = serializers.CharField(source="licence.revoked_reason", allow_blank=True)
    revocation_basis = serializers.CharField(
        allow_blank=True, help_text=_("撤销许可决定的法律依据（如有）")
    )


class ApplicationItemSerializer(serializers.Serializer):
    receipt_no = serializers.CharField()
    item_name = serializers.CharField()
    department = serializers.CharField(help_text=_("办理部门"))
    status = serializers.CharField()
    status_label = serializers.CharField()
    promised_due_date = serializers.DateField(allow_null=True)
    done = serializers.BooleanField(help_text=_("已作出决定、办结或不予受理"))


class ApplicationSerializer(serializers.Serializer):
    """一件事: the application a case was filed in, all of its items in one place."""

    bundle_name = serializers.CharField()
    lead_department = serializers.CharField(allow_blank=True, help_text=_("牵头部门"))
    deliver_together = serializers.BooleanField(help_text=_("全部办结后一次送达"))
    done_count = serializers.IntegerField(help_text=_("已办结事项数"))
    promised_due_date = serializers.DateField(
        allow_null=True, help_text=_("整件最晚承诺办结日期（受理后）")
    )
    items = ApplicationItemSerializer(many=True)


class CaseWithChecklistSerializer(CaseSerializer):
    """A case with its materials: each one's state, its uploads, and a licence taken from the
    library in its place; and, for a case of a 一件事 application, the whole application."""

    materials = serializers.SerializerMethodField()
    application = serializers.SerializerMethodField(
        help_text=_("一件事申请的全部事项；单独申请的办件为空")
    )

    @extend_schema_field(ApplicationSerializer(allow_null=True))
    def get_application(self, case: Case) -> dict | None:
        if case.group_id is None:
            return None
        status = application_status(group_id=case.group_id)
        return ApplicationSerializer(status).data if status is not None else None

    @extend_schema_field(ChecklistEntrySerializer(many=True))
    def get_materials(self, case: Case) -> list[dict]:
        rows = (
            case.materials.select_related("licence")
            .annotate(upload_count=Count("uploads"))
            .order_by("pk")
        )
        return ChecklistEntrySerializer(
            [
                {
                    "requirement_id": m.requirement_id,
                    "name": m.name,
                    "status": m.status,
                    "uploads": m.upload_count,
                    "licence": m.licence.number if m.licence_id else None,
                }
                for m in rows
            ],
            many=True,
        ).data

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "materials", "application"]


class WorkOrderInputSerializer(serializers.Serializer):
    """A 12345 work order as the city platform sends it."""

    external_no = serializers.CharField(max_length=64, help_text=_("平台工单编号（幂等）"))
    category = serializers.SlugField(max_length=50, help_text=_("诉求分类编码"))
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=4000)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=11, required=False, allow_blank=True)
    anonymous = serializers.BooleanField(required=False, default=False)
    due_at = serializers.DateTimeField(required=False, help_text=_("平台办理时限（须带时区）"))
    receipt_no = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=_("相关办件的收件编号")
    )


class WorkOrderSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "number",
            "external_no",
            "category",
            "kind",
            "title",
            "status",
            "received_at",
            "due_at",
            "extension",
            "reply",
            "replied_at",
            "closed_at",
            "closed_late",
            "reopen_count",
        ]
