"""Demo data for `manage.py seed_demo`. Every function here is safe to run again."""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from approvals.catalogue.selectors import item_current_by_code
from approvals.clock.calendar import working_calendar
from approvals.clock.deadlines import SHANGHAI
from approvals.demo.seed import demo_catalogue_seed
from approvals.models import CaseStep, WorkOrderCategory
from approvals.reviews.decisions import case_decide, stage_decide
from approvals.reviews.delivery import case_deliver, case_delivery_choose
from approvals.reviews.steps import step_decide
from approvals.reviews.sweeps import steps_warn_sweep
from departments.models import Department
from hall.benefits.finding import benefit_offers_find
from hall.benefits.services import benefit_offer_answer
from hall.cases import applicants
from hall.common.validators import uscc_check_char
from hall.demo.users import DEMO_LOGINS, DemoLogin, demo_user_ensure
from hall.intake import common, decisions, receiving
from hall.models import (
    ApiClient,
    Applicant,
    BenefitOffer,
    Case,
    CaseMaterial,
    Clerk,
    KnowledgeEntry,
    ProxyAuthorisation,
    Window,
    WorkOrder,
)
from hall.orders import knowledge
from hall.orders import services as order_services
from hall.proxies.services import proxy_grant_at_window
from hall.queue.appointment_selectors import CHECK_IN_LATE, booking_days, slot_times
from hall.queue.appointments import appointment_book
from hall.roles import roles_sync


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    """Roles, the demo logins and the demo catalogue (which binds `officer` to a department)."""

    groups = roles_sync()
    User = get_user_model()
    for login in DEMO_LOGINS:
        if login.phone:  # a demo database from before the applicant signed in by phone
            User.objects.filter(username=login.username).update(username=login.account_username())
        demo_user_ensure(
            username=login.account_username(),
            role=login.role,
            full_name=login.full_name,
            groups=groups,
        )
    demo_catalogue_seed()
    demo_windows_seed()
    demo_cases_seed()
    demo_knowledge_seed()
    demo_orders_seed()
    return list(DEMO_LOGINS)


DEMO_WINDOWS = (
    ("01", "综合受理窗口", ["general", "social"], False),
    ("02", "综合受理窗口", ["general", "social"], False),
    ("03", "企业开办专窗", ["business"], False),
    ("04", "工程建设专窗", ["construction"], False),
    ("W1", "网上受理", [], True),
)


def demo_windows_seed() -> None:
    """The hall's windows, with the demo clerk seated at window 01."""

    for number, name, categories, online in DEMO_WINDOWS:
        Window.objects.update_or_create(
            number=number, defaults={"name": name, "categories": categories, "is_online": online}
        )
    clerk = get_user_model().objects.get(username="clerk")
    Clerk.objects.update_or_create(user=clerk, defaults={"window": Window.objects.get(number="01")})


def _answers_for(item) -> dict[str, str]:
    answers = {}
    for question in item.questions.all():
        values = [str(value) for value, _label in question.choices]
        answers[question.key] = "no" if "no" in values else values[0]
    return answers


def demo_cases_seed() -> int:
    """A few cases in different states so that every desk has something to show. Runs once:
    a second call finds the demo enterprise's cases and does nothing."""

    uscc_body = "91440300MA5FT0001"
    uscc = uscc_body + uscc_check_char(uscc_body)
    if Case.objects.filter(applicant__uscc=uscc).exists():
        return 0
    User = get_user_model()
    clerk = User.objects.get(username="clerk")
    window = clerk.clerk.window
    company = applicants.applicant_register(
        kind="enterprise",
        name="深圳市福田城建发展有限公司",
        phone="13912345678",
        uscc=uscc,
        legal_representative="刘建国",
    )
    person = applicants.applicant_register(
        kind="person", name="张三", phone="13800138000", id_number="11010519491231002X"
    )
    applicant_login = next(login for login in DEMO_LOGINS if login.role == "applicant")
    applicant_user = User.objects.get(username=applicant_login.account_username())
    if person.user_id is None and not Applicant.objects.filter(user=applicant_user).exists():
        person.user = applicant_user
        person.save(update_fields=["user"])

    def receive(item, applicant):
        return receiving.case_receive(
            submission_key=uuid.uuid4(),
            applicant=applicant,
            item=item,
            answers=_answers_for(item),
            received_by=clerk,
            channel=Case.Channel.WINDOW,
            window=window,
        )

    def all_received(case):
        return {m.pk: common.MaterialMark("received") for m in case.materials.all()}

    # 1. A construction permit in parallel review: the first stage's departments are at work.
    construction = item_current_by_code(code="44030400-XK-0010")
    case = receive(construction, company)
    decisions.case_intake_decide(case=case, clerk=clerk, outcome="accept", marks=all_received(case))
    # The supervisor's cards (issue 32): as if the permit had been accepted weeks ago, one
    # department has let its limit pass (red: a step deemed approval does not apply to, so it
    # stays red for the supervisor to chase) and another is in its last working days (yellow).
    open_steps = list(case.steps.filter(status=CaseStep.Status.OPEN).order_by("pk"))
    if len(open_steps) >= 2:
        now, today = timezone.now(), timezone.localdate()
        overdue, closing = open_steps[0], open_steps[1]
        CaseStep.objects.filter(pk=overdue.pk).update(
            deemed_approval=False,
            due_date=today - datetime.timedelta(days=1),
            due_at=now - datetime.timedelta(hours=1),
            warn_on=today - datetime.timedelta(days=3),
        )
        tomorrow = working_calendar().add_working_days(today, 1)
        CaseStep.objects.filter(pk=closing.pk).update(
            due_date=tomorrow,
            due_at=datetime.datetime.combine(
                tomorrow + datetime.timedelta(days=1), datetime.time(0), tzinfo=SHANGHAI
            ),
            warn_on=today,
        )
        steps_warn_sweep()

    # 2. A food licence waiting for the applicant's correction (one-time notice issued).
    food = item_current_by_code(code="44030400-XK-0001")
    case = receive(food, person)
    marks = all_received(case)
    first = case.materials.order_by("pk").first()
    marks[first.pk] = common.MaterialMark(CaseMaterial.Status.MISSING)
    decisions.case_intake_decide(case=case, clerk=clerk, outcome="correct", marks=marks)

    def granted(case):
        decisions.case_intake_decide(
            case=case, clerk=clerk, outcome="accept", marks=all_received(case)
        )
        for step in case.steps.select_related("department"):
            step_decide(
                step=step, officer=_officer(step.department), approve=True, opinion="符合条件"
            )
        for stage in case.stages.all():
            stage_decide(
                stage=stage, officer=_officer(stage.lead_department), approve=True, opinion=""
            )
        case_decide(case=case, officer=_officer(case.item.lead_department), grant=True, reasons="")
        case_deliver(case=case, clerk=clerk, method="window")

    # 3. The enterprise's registration granted: its business licence (营业执照) is issued into
    # the electronic licence library, so that the food licence below takes it from there.
    granted(receive(item_current_by_code(code="44030400-XK-0002"), company))

    # 4. A food licence decided and delivered (营业执照 shared from the library, 免证办; the grant
    # issues the electronic 食品经营许可证).
    case = receive(food, company)
    granted(case)

    # 5. Just received at the window, waiting for the material check; 张三 chose courier
    # delivery for it in the portal.
    waiting = receive(food, person)
    case_delivery_choose(case=waiting, method="courier", address="深圳市福田区福华路 1 号 张三")

    # 6. 张三 booked an appointment for the first bookable working day (预约; check in at the
    # kiosk with its code, shown in 我的预约).
    day = booking_days()[0]
    appointment_book(
        applicant=person,
        item=food,
        starts_at=datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=SHANGHAI),
    )
    # ... and one for today's current or next slot, when the hall is open today, so that
    # check-in at the kiosk (its code in 我的预约) can be tried at once (issue 32).
    today = timezone.localdate()
    if working_calendar().is_working_day(today):
        soon = [
            start for start, _end in slot_times(today) if start >= timezone.now() - CHECK_IN_LATE
        ]
        if soon:
            appointment_book(applicant=person, item=food, starts_at=soon[0], same_day=True)
    # 7. 亲友代办: 张三 acts for her husband 李福 (82, no phone of his own to use online) for his
    # 户籍证明, authorised at the window with both present; his certificate case waits there.
    husband = applicants.applicant_register(
        kind="person", name="李福", phone="13800138001", id_number="11010519440315003X"
    )
    residence = item_current_by_code(code="44030400-GG-0010")
    receive(residence, husband)
    proxy_grant_at_window(
        clerk=clerk,
        request_key=uuid.uuid5(uuid.NAMESPACE_URL, "hall-demo:proxy:li-fu"),
        principal=husband,
        proxy_id_number=person.id_number,
        relationship=ProxyAuthorisation.Relationship.SPOUSE,
        item_codes=[residence.code],
        valid_until=timezone.localdate() + datetime.timedelta(days=180),
        both_present=True,
    )
    # 8. 免申即享: the daily sweep finds 李福 (82: 高龄津贴) and the enterprise registered here
    # (创业补贴); 李福 confirmed by the SMS link, so 区民政局 (officer-mz) has a list to confirm.
    benefit_offers_find()
    offer = BenefitOffer.objects.get(applicant=husband, benefit__code="gaoling-jintie")
    benefit_offer_answer(offer=offer, accept=True, via=BenefitOffer.Via.LINK)
    return 6


def _officer(department):
    return department.officers.select_related("user").order_by("pk").first().user


DEMO_PLATFORM = "深圳市12345热线平台（演示）"
DEMO_KNOWLEDGE = (
    (
        "juzhuzheng-xuqian",
        "居住证到期怎么续签？",
        "居住证有效期满前 30 日内，持本人身份证和居住登记凭证到居住地派出所或大厅公安窗口申请"
        "续签，也可在网上办事大厅办理。",
        "law",
        "《居住证暂行条例》第十四条",
    ),
    (
        "yingye-zhizhao-banli",
        "个体工商户营业执照在哪里办？要多久？",
        "在大厅 A 区市场监管窗口或网上办事大厅“企业开办一件事”中办理，材料齐全的当场或 1 个"
        "工作日内办结。",
        "item",
        "44030400-XK-0001 个体工商户登记（办事指南）",
    ),
    (
        "gaoling-jintie",
        "80 岁以上老人的高龄津贴要申请吗？",
        "不用申请。系统每天按户籍和年龄自动找出符合条件的老人，短信告知后确认即可领取（免申即享）。",
        "notice",
        "深圳市高龄老人津贴发放办法（演示）",
    ),
)


def demo_knowledge_seed() -> int:
    """A few answers of the knowledge base, each with its source; runs once per entry."""
    created = 0
    for key, question, answer, source_kind, source in DEMO_KNOWLEDGE:
        if KnowledgeEntry.objects.filter(key=key).exists():
            continue
        knowledge.knowledge_add(
            key=key,
            question=question,
            answer=answer,
            source_kind=source_kind,
            source=source,
            actor=None,
        )
        created += 1
    return created


def demo_orders_seed() -> int:
    """接诉即办's demo: a 12345 platform whose orders the demo clerk receives (its liaison), and
    orders in every state — one being handled by two departments, an urgent one on yellow, a
    consultation past its day on red, a complaint about the demo officer (which he never sees),
    and one closed and called back. Runs once."""
    if WorkOrder.objects.exists():
        return 0
    User = get_user_model()
    clerk = User.objects.get(username="clerk")
    officer = User.objects.get(username="officer")
    platform, _created = ApiClient.objects.get_or_create(
        name=DEMO_PLATFORM,
        defaults={"scopes": [ApiClient.Scope.ORDERS_FILE], "acting_user": clerk},
    )
    category = {c.code: c for c in WorkOrderCategory.objects.all()}
    department = {d.code: d for d in Department.objects.all()}

    def aged(order: WorkOrder, *, hours: float) -> WorkOrder:
        """As if received `hours` ago (demo only: the sweep then sees it as it would)."""
        shift = datetime.timedelta(hours=hours)
        WorkOrder.objects.filter(pk=order.pk).update(
            received_at=order.received_at - shift,
            due_at=order.due_at - shift,
            yellow_at=order.yellow_at - shift,
        )
        order.refresh_from_db()
        return order

    # 1. From the 12345 platform: street vending, sent to 城管 and 市场监管, 城管 has answered.
    vending = order_services.order_receive(
        channel=WorkOrder.Channel.HOTLINE,
        category=category["zhandao-jingying"],
        title="福华路小区门口占道经营",
        content="每天傍晚有摊贩占用人行道和消防通道，影响通行。",
        contact_name="王五",
        contact_phone="13912340001",
        owner=clerk,
        client=platform,
        external_no="SZ12345-DEMO-0001",
    )
    order_services.order_dispatch(
        order=vending,
        actor=clerk,
        parts=[
            order_services.Dispatch(department["FT-CG"], "清理占道摊贩，设置巡查"),
            order_services.Dispatch(department["FT-SCJG"], "核查摊贩是否取得食品经营许可"),
        ],
    )
    order_services.part_answer(
        part=vending.parts.get(department=department["FT-CG"]),
        actor=_officer(department["FT-CG"]),
        answer="已清理，每日傍晚巡查一次。",
    )
    # 2. An urgent one, received 1 h 40 min ago: yellow.
    aged(
        order_services.order_receive(
            channel=WorkOrder.Channel.HOTLINE,
            category=category["ranqi-xianqing"],
            title="新洲村楼道有燃气味",
            content="三楼楼道燃气味很重。",
            contact_phone="13912340002",
            owner=clerk,
            client=platform,
            external_no="SZ12345-DEMO-0002",
        ),
        hours=1 + 40 / 60,
    )
    # 3. A consultation from yesterday (its day ended at midnight), unanswered: red.
    aged(
        order_services.order_receive(
            channel=WorkOrder.Channel.WINDOW,
            category=category["banshi-zixun"],
            title="居住证续签要带什么材料",
            content="居住证快到期，续签需要哪些材料？",
            contact_name="赵六",
            contact_phone="13912340003",
            owner=clerk,
        ),
        hours=24,
    )
    # 4. A complaint about the demo officer (李审批), anonymous to the department: it goes to
    # 市场监管 (林晓敏 sees it), never to him.
    about = order_services.order_receive(
        channel=WorkOrder.Channel.WINDOW,
        category=category["chuangkou-fuwu"],
        title="审批人员答复不耐烦",
        content="咨询食品经营许可进度时，审批人员态度生硬。",
        contact_name="钱七",
        contact_phone="13912340004",
        anonymous=True,
        about_clerk=officer,
        owner=clerk,
    )
    order_services.order_dispatch(
        order=about,
        actor=clerk,
        parts=[order_services.Dispatch(department["FT-SCJG"], "核实服务态度问题并整改")],
    )
    # 5. Closed and called back: satisfied, resolved.
    noise = order_services.order_receive(
        channel=WorkOrder.Channel.PORTAL,
        category=category["zaosheng-raomin"],
        title="夜间施工噪声",
        content="晚上十一点后仍在施工。",
        contact_name="孙八",
        contact_phone="13912340005",
        owner=clerk,
    )
    order_services.order_dispatch(
        order=noise,
        actor=clerk,
        parts=[order_services.Dispatch(department["FT-STHJ"], "查处夜间违规施工")],
    )
    order_services.part_answer(
        part=noise.parts.get(),
        actor=_officer(department["FT-STHJ"]),
        answer="已责令停止夜间施工并罚款。",
    )
    order_services.order_reply(order=noise, actor=clerk, reply="已责令停止夜间施工并处罚。")
    order_services.order_close(order=noise, actor=clerk)
    order_services.order_callback(
        order=noise,
        satisfaction=WorkOrder.Satisfaction.SATISFIED,
        resolved=True,
        via="phone",
        actor=clerk,
        note="电话回访，市民表示已安静。",
    )
    order_services.orders_sweep()
    return 5
