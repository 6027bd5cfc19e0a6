"""The API's views: thin, each over the service or selector the web pages use.

Bounds: a platform (cases:file / cases:read) sees only the cases it filed; a department's system
(steps:act) only its department's steps, and it claims and decides as its `acting_user`; what is
outside a client's bounds is 404, like what does not exist.
"""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.catalogue.selectors import items_current
from approvals.desk.selectors import step_of_department
from approvals.models import CaseStep
from approvals.register.selectors import grants_page
from approvals.reviews import extensions, suspensions
from approvals.reviews import steps as step_services
from approvals.reviews.selectors import department_inbox
from departments.supervision.figures import supervision_figures
from hall.api import serializers as api
from hall.api.errors import problem
from hall.api.idempotency import idempotent
from hall.api.throttling import LicenceVerifyRate
from hall.cases.rendering import notice_ready
from hall.cases.selectors import case_filed_by, case_notices, cases_filed_by
from hall.licences.selectors import licence_verified
from hall.models import ApiClient, Case, WorkOrder
from hall.online import filing
from hall.orders import selectors as order_selectors
from hall.orders import services as order_services
from hall.platform import audit
from hall.platform.guard import date_or_none
from hall.platform.replica import reads_from_replica

Scope = ApiClient.Scope
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_("同一写操作重试时带相同的值，只执行一次并返回第一次的结果。"),
)
# Keys of filings: the same client and Idempotency-Key always name the same case.
FILING_NAMESPACE = uuid.UUID("5b0c3d6e-8f1a-4c2b-9d7e-1a2b3c4d5e6f")


class ByCode(CursorPagination):
    ordering = ("code", "version")
    page_size = 50


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class SoonestDue(CursorPagination):
    ordering = ("due_at", "id")
    page_size = 50


class CaseCallsRecorded:
    """Every call that reads or changes a case is recorded with the client and request id."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # the request's own id (hall.platform.logs): the record, the logs and the
        # X-Request-ID header name the same call
        request_id = getattr(request, "request_id", "") or uuid.uuid4().hex
        response["X-Request-ID"] = request_id
        client = getattr(request, "user", None)
        if isinstance(client, ApiClient):
            audit.api_call_record(
                client_id=client.pk,
                request_id=request_id,
                method=request.method,
                path=request.path,
                status=response.status_code,
                case_id=getattr(request, "api_case_id", None),
            )
        return response


# --- the catalogue (public) -------------------------------------------------------------------


class ItemList(generics.ListAPIView):
    """事项目录：现行版本的事项，含材料清单和期限。公开，无需密钥。"""

    serializer_class = api.ItemSerializer
    pagination_class = ByCode
    authentication_classes: list = []

    def get_queryset(self):
        return items_current().select_related("lead_department").prefetch_related("materials")


class ItemDetail(generics.RetrieveAPIView):
    """一个事项的现行版本。"""

    serializer_class = api.ItemSerializer
    authentication_classes: list = []
    lookup_field = "code"

    def get_queryset(self):
        return items_current().select_related("lead_department").prefetch_related("materials")


# --- cases ------------------------------------------------------------------------------------


def _own_case(request, receipt_no: str) -> Case:
    case = case_filed_by(client_id=request.user.pk, receipt_no=receipt_no)
    if case is None:
        raise Http404
    request.api_case_id = case.pk
    return case


def _date_parameter(params, name: str):
    value = params.get(name)
    if value is None:
        return None
    day = date_or_none(value)
    if day is None:
        raise serializers.ValidationError({name: [_("日期格式为 YYYY-MM-DD，且须是存在的日期。")]})
    return day


class CaseListCreate(CaseCallsRecorded, generics.ListAPIView):
    """本客户端申报的办件（按创建时间倒序，游标分页）；申报新办件。"""

    serializer_class = api.CaseSerializer
    pagination_class = NewestFirst

    @property
    def required_scope(self) -> str:
        return Scope.CASES_FILE if self.request.method == "POST" else Scope.CASES_READ

    def get_queryset(self):
        params = self.request.query_params
        status_filter = params.get("status")
        if status_filter is not None and status_filter not in Case.Status.values:
            raise serializers.ValidationError({"status": [_("没有这个办件状态。")]})
        return cases_filed_by(
            client_id=self.request.user.pk,
            status=status_filter,
            item_code=params.get("item_code", "")[:40],
            department_code=params.get("department", "")[:32],
            created_after=_date_parameter(params, "created_after"),
            created_before=_date_parameter(params, "created_before"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Case.Status.values),
            OpenApiParameter("item_code", OpenApiTypes.STR),
            OpenApiParameter("department", OpenApiTypes.STR, description=_("牵头部门编码")),
            OpenApiParameter("created_after", OpenApiTypes.DATE),
            OpenApiParameter("created_before", OpenApiTypes.DATE),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=api.CaseFileSerializer,
        responses={201: api.CaseWithChecklistSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, *args, **kwargs):
        incoming = api.CaseFileSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        client: ApiClient = request.user
        key = getattr(request, "idempotency_key", None)
        case = filing.platform_case_file(
            client=client,
            submission_key=(
                uuid.uuid5(FILING_NAMESPACE, f"{client.pk}:{key}") if key else uuid.uuid4()
            ),
            item_code=data["item_code"],
            applicant_details=data["applicant"],
            answers=data.get("answers", {}),
            materials={
                entry["requirement"]: entry["uploads"] for entry in data.get("materials", [])
            },
        )
        request.api_case_id = case.pk
        response = Response(
            api.CaseWithChecklistSerializer(case).data, status=status.HTTP_201_CREATED
        )
        response["Location"] = f"/api/v1/cases/{case.receipt_no}/"
        return response


class CaseDetail(CaseCallsRecorded, APIView):
    required_scope = Scope.CASES_READ

    @extend_schema(responses=api.CaseWithChecklistSerializer)
    def get(self, request, receipt_no: str):
        """一个本客户端申报的办件的状态、期限和材料清单。"""
        return Response(api.CaseWithChecklistSerializer(_own_case(request, receipt_no)).data)


class CaseCorrections(CaseCallsRecorded, APIView):
    """答复一次性补正告知书：为告知书所列材料提交先行上传的文件（办件仍待窗口核对）。"""

    required_scope = Scope.CASES_FILE

    @extend_schema(
        request=api.CorrectionInputSerializer,
        responses={200: api.CaseWithChecklistSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, receipt_no: str):
        case = _own_case(request, receipt_no)
        incoming = api.CorrectionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        client: ApiClient = request.user
        key = getattr(request, "idempotency_key", None)
        case = filing.platform_correction_upload(
            client=client,
            case=case,
            submission_key=(
                uuid.uuid5(FILING_NAMESPACE, f"{client.pk}:correction:{key}")
                if key
                else uuid.uuid4()
            ),
            materials={
                entry["requirement"]: entry["uploads"]
                for entry in incoming.validated_data["materials"]
            },
        )
        return Response(api.CaseWithChecklistSerializer(case).data)


class Uploads(APIView):
    """上传一个材料文件，得到文件标识，申报时引用（先上传、后申报）。只能被本客户端引用一次。"""

    required_scope = Scope.CASES_FILE
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": api.UploadInputSerializer},
        responses={201: api.UploadSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request):
        incoming = api.UploadInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = filing.platform_upload_store(
            client=request.user, file=incoming.validated_data["file"]
        )
        return Response(api.UploadSerializer(upload).data, status=status.HTTP_201_CREATED)


class CaseEvents(CaseCallsRecorded, APIView):
    required_scope = Scope.CASES_READ

    @extend_schema(responses=api.EventSerializer(many=True))
    def get(self, request, receipt_no: str):
        """办件日志（按时间顺序）。"""
        case = _own_case(request, receipt_no)
        events = case.events.order_by("at", "pk")[:500]
        return Response(api.EventSerializer(events, many=True).data)


class CaseNotices(CaseCallsRecorded, APIView):
    required_scope = Scope.CASES_READ

    @extend_schema(responses=api.NoticeSerializer(many=True))
    def get(self, request, receipt_no: str):
        """办件的书面凭证和告知书（受理通知书、一次性补正告知书、决定书等）。"""
        case = _own_case(request, receipt_no)
        notices = case_notices(case=case).select_related("case").order_by("issued_at", "pk")
        return Response(api.NoticeSerializer(notices, many=True).data)


class CaseNoticePdf(CaseCallsRecorded, APIView):
    required_scope = Scope.CASES_READ

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, receipt_no: str, notice_id: int):
        """一份告知书的 PDF（与窗口出具的同一份文件）。"""
        case = _own_case(request, receipt_no)
        notice = get_object_or_404(case_notices(case=case).select_related("case"), pk=notice_id)
        notice = notice_ready(notice)
        return FileResponse(
            notice.pdf.open("rb"),
            content_type="application/pdf",
            filename=f"{notice.number}.pdf",
        )


# --- department steps -------------------------------------------------------------------------


def _department(request):
    client: ApiClient = request.user
    if client.department_id is None or client.acting_user_id is None:
        return None
    return client.department


class StepList(CaseCallsRecorded, generics.ListAPIView):
    """本部门待办的审查环节，期限最近的在前（游标分页）。"""

    required_scope = Scope.STEPS_ACT
    serializer_class = api.StepSerializer
    pagination_class = SoonestDue

    def get_queryset(self):
        department = _department(self.request)
        if department is None:
            return CaseStep.objects.none()
        return department_inbox(department=department).select_related("department")


def _own_step(request, step_id: int):
    department = _department(request)
    step = None
    if department is not None:
        step = step_of_department(step_id=step_id, department=department)
    if step is None:
        raise Http404
    request.api_case_id = step.case_id
    return step


class StepClaim(CaseCallsRecorded, APIView):
    required_scope = Scope.STEPS_ACT

    @extend_schema(request=None, responses=api.StepSerializer, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def post(self, request, step_id: int):
        """认领审查环节（以客户端代表的部门人员名义）。已由他人认领时为 409。"""
        step = _own_step(request, step_id)
        claimed = step_services.step_claim(step=step, officer=request.user.acting_user)
        step.refresh_from_db()
        if not claimed and step.claimed_by_id != request.user.acting_user_id:
            return problem(409, _("该环节已由他人认领。"))
        return Response(api.StepSerializer(step).data)


class StepDecision(CaseCallsRecorded, APIView):
    required_scope = Scope.STEPS_ACT

    @extend_schema(
        request=api.StepDecisionSerializer,
        responses=api.StepSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, step_id: int):
        """作出本部门的审查决定：同意，或不同意并说明理由。已决定或已超时默许时为 409。"""
        incoming = api.StepDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        step = _own_step(request, step_id)
        decided = step_services.step_decide(
            step=step,
            officer=request.user.acting_user,
            approve=incoming.validated_data["approve"],
            opinion=incoming.validated_data.get("opinion", ""),
        )
        return Response(api.StepSerializer(decided).data)


class StepCorrectionRequest(CaseCallsRecorded, APIView):
    required_scope = Scope.STEPS_ACT

    @extend_schema(
        request=api.CorrectionRequestSerializer,
        responses={201: api.NoticeSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, step_id: int):
        """审查中要求补正（一次性告知）：出具补正告知书，本部门计时中止至补齐。"""
        incoming = api.CorrectionRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        step = _own_step(request, step_id)
        notice = suspensions.step_correction_request(
            step=step,
            officer=request.user.acting_user,
            items=[(i["material"], i["reason"]) for i in incoming.validated_data["items"]],
        )
        return Response(api.NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class StepSpecialProcedure(CaseCallsRecorded, APIView):
    required_scope = Scope.STEPS_ACT

    @extend_schema(
        request=api.SpecialProcedureSerializer,
        responses={201: api.NoticeSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, step_id: int):
        """开始特别程序（听证、检验、检测、鉴定、专家评审等，不计入期限，第四十五条）。"""
        incoming = api.SpecialProcedureSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        step = _own_step(request, step_id)
        notice = suspensions.step_special_procedure_start(
            step=step, officer=request.user.acting_user, **incoming.validated_data
        )
        return Response(api.NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class StepSpecialProcedureEnd(CaseCallsRecorded, APIView):
    required_scope = Scope.STEPS_ACT

    @extend_schema(request=None, responses=api.StepSerializer, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def post(self, request, step_id: int):
        """结束特别程序，恢复计时。"""
        step = _own_step(request, step_id)
        ended = suspensions.step_special_procedure_end(step=step, officer=request.user.acting_user)
        return Response(api.StepSerializer(ended).data)


class StepExtensionRequest(CaseCallsRecorded, APIView):
    required_scope = Scope.STEPS_ACT

    @extend_schema(
        request=api.ExtensionRequestSerializer,
        responses={201: api.ExtensionSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, step_id: int):
        """申请延长审查期限（第四十二条，一次，由负责人批准）。"""
        incoming = api.ExtensionRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        step = _own_step(request, step_id)
        extension = extensions.step_extension_request(
            step=step, officer=request.user.acting_user, **incoming.validated_data
        )
        return Response(api.ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)


# --- the public register ----------------------------------------------------------------------


class Grants(APIView):
    """准予行政许可决定公开（第四十条）：按事项、被许可人或文号查询，每页 50 条。公开。"""

    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description=_("事项、被许可人或文号")),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=api.GrantSerializer(many=True),
    )
    @reads_from_replica
    def get(self, request):
        query = request.query_params.get("q", "")[:100]
        try:
            page_number = int(request.query_params.get("page", "1"))
        except ValueError:
            page_number = 0
        if page_number < 1:
            raise serializers.ValidationError({"page": [_("页码须为正整数。")]})
        page, entries = grants_page(query=query, page=page_number)
        response = Response(api.GrantSerializer(entries, many=True).data)
        response["X-Total-Count"] = str(page.paginator.count)
        return response


# --- licence verification --------------------------------------------------------------------


class LicenceVerify(APIView):
    """电子证照核验：凭证照编号和核验码查询证照今天的状态（与公开核验页面相同）。公开，按地址限速。"""

    authentication_classes: list = []
    throttle_classes = [LicenceVerifyRate]

    @extend_schema(
        parameters=[
            OpenApiParameter("number", OpenApiTypes.STR, required=True, description=_("证照编号")),
            OpenApiParameter("code", OpenApiTypes.STR, required=True, description=_("核验码")),
        ],
        responses=api.LicenceVerificationSerializer,
    )
    def get(self, request):
        number = request.query_params.get("number", "")[:40]
        code = request.query_params.get("code", "")[:40]
        facts = licence_verified(code=code, number=number) if number and code else None
        if facts is None:
            # unknown, mismatched or malformed: one answer, so nothing can be enumerated
            raise Http404(_("没有这个编号和核验码的电子证照。"))
        return Response(api.LicenceVerificationSerializer(facts).data)


# --- supervision ------------------------------------------------------------------------------


class SupervisionFigures(APIView):
    required_scope = Scope.SUPERVISION_READ

    @extend_schema(responses=api.FiguresSerializer)
    @reads_from_replica
    def get(self, request):
        """监察统计：各状态办件数、预警数（快照，最长 2 倍刷新间隔）。"""
        figures = supervision_figures(now=timezone.now())
        return Response(api.FiguresSerializer(figures).data)


class WorkOrders(APIView):
    """接收12345平台转派的工单（按平台工单编号幂等）；答复、延期申请和办结以事件推送回平台。"""

    required_scope = Scope.ORDERS_FILE

    @extend_schema(
        request=api.WorkOrderInputSerializer,
        responses={201: api.WorkOrderSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request):
        incoming = api.WorkOrderInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        client: ApiClient = request.user
        category = order_selectors.category_by_code(data["category"])
        if category is None:
            raise serializers.ValidationError({"category": [_("没有这个诉求分类。")]})
        order = order_services.order_receive(
            channel=WorkOrder.Channel.HOTLINE,
            category=category,
            title=data["title"],
            content=data["content"],
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
            anonymous=data.get("anonymous", False),
            case=order_selectors.case_by_receipt_no(data.get("receipt_no", "")),
            owner=client.acting_user,
            client=client,
            external_no=data["external_no"],
            platform_due_at=data.get("due_at"),
        )
        response = Response(api.WorkOrderSerializer(order).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/work-orders/{order.number}/"
        return response


class WorkOrderDetail(APIView):
    required_scope = Scope.ORDERS_FILE

    @extend_schema(responses=api.WorkOrderSerializer)
    def get(self, request, number: str):
        """本平台转派的一张工单的状态、时限、答复和办结情况。"""
        order = order_selectors.order_of_client(client_id=request.user.pk, number=number)
        if order is None:
            raise Http404
        return Response(api.WorkOrderSerializer(order).data)
