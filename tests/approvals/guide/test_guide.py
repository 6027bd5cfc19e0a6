"""The public service guide pages and the catalogue admin, on the demo catalogue."""

from __future__ import annotations

import datetime
import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from approvals.catalogue.plans import item_stage_plan
from approvals.catalogue.services import item_new_version
from approvals.demo.catalogue import BUNDLES, CONSTRUCTION_PERMIT, ITEMS
from approvals.demo.seed import demo_catalogue_seed
from approvals.guide.svg import stage_plan_svg
from approvals.models import Bundle, ServiceItem
from departments.models import Department

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The demo creates 17 users; the production hasher would spend seconds on their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalogue(roles):
    return demo_catalogue_seed()


def page_svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)


@pytest.mark.parametrize("spec", ITEMS, ids=lambda spec: spec.code)
def test_every_demo_item_page_shows_its_departments_in_the_picture(catalogue, client, spec):
    response = client.get(reverse("guide:item", args=[spec.code]))

    assert response.status_code == 200
    html = response.content.decode()
    [svg] = page_svgs(html)
    ElementTree.fromstring(svg)  # well-formed XML
    item = ServiceItem.objects.get(code=spec.code)
    departments = {step.department for stage in item_stage_plan(item=item) for step in stage.steps}
    departments.add(item.lead_department)
    for department in departments:
        assert department.name in svg, department.name
    assert item.name in html
    for material in item.materials.all():
        assert material.name in html


@pytest.mark.parametrize("spec", BUNDLES, ids=lambda spec: spec.code)
def test_every_demo_bundle_page_shows_its_items_departments(catalogue, client, spec):
    response = client.get(reverse("guide:bundle", args=[spec.code]))

    assert response.status_code == 200
    [svg] = page_svgs(response.content.decode())
    for item in ServiceItem.objects.filter(code__in=spec.items).select_related("lead_department"):
        assert item.lead_department.name in svg
        assert item.name in response.content.decode()


def test_the_newborn_bundle_counts_what_one_application_saves(catalogue):
    from approvals.catalogue.selectors import bundle_current_items, bundle_savings

    bundle = Bundle.objects.get(code="xinsheng-chusheng")
    savings = bundle_savings(items=bundle_current_items(bundle=bundle))
    # five forms, five trips and 12 materials apart (the parents' identity asked by all five,
    # the household register and the marriage certificate by two each) against one, one, six
    assert (savings.steps_apart, savings.steps_together) == (10, 2)
    assert (savings.forms_apart, savings.forms_together) == (5, 1)
    assert (savings.materials_apart, savings.materials_together) == (12, 6)
    assert (savings.trips_apart, savings.trips_together) == (5, 1)
    # 1 + 1 + 5 + 1 + 5 working days one after another, against the longest
    assert (savings.days_apart, savings.days_together) == (13, 5)
    parents = next(m for m in savings.materials if m.name == "父母双方身份证件")
    assert len(parents.item_names) == 5


def test_a_bundle_page_shows_its_lead_department_basis_and_savings(catalogue, client):
    html = client.get(reverse("guide:bundle", args=["xinsheng-chusheng"])).content.decode()
    assert "深圳市福田区卫生健康局" in html  # the lead department
    assert "国办发〔2024〕3号" in html
    assert "一件事一次办，省了什么" in html
    assert re.search(r"申请材料</th><td>12 份</td><td>6 份", html)
    assert "一份用于：出生医学证明首次签发、预防接种证办理" in html


def test_item_page_tells_conditions_in_words(catalogue, client):
    html = client.get(reverse("guide:item", args=[CONSTRUCTION_PERMIT.code])).content.decode()

    assert "仅企业申请人" in html
    assert "当“是否委托代理人办理”为“是”时" in html
    assert '<th scope="col"' in html and "<caption" in html
    assert "80 个工作日" in html and "340 个工作日" in html


def test_catalogue_lists_items_by_queue_category_and_bundles(catalogue, client):
    response = client.get(reverse("guide:catalogue"))

    assert response.status_code == 200
    html = response.content.decode()
    for label in ("企业开办", "工程建设", "社会事务"):
        assert f">{label}</h2>" in html
    for spec in BUNDLES:
        assert spec.name in html
    for spec in ITEMS:
        assert spec.name in html


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("食品经营", "食品经营许可（新办）", "企业设立登记"),
        ("44030400-GG-0002", "新办纳税人涉税事项办理及发票申领", "食品经营许可（新办）"),
        ("人民防空", "社会投资项目建设工程规划许可及施工许可（并联审批）", "户籍证明开具"),
        ("税务局", "新办纳税人涉税事项办理及发票申领", "户籍证明开具"),
    ],
)
def test_search_finds_by_name_code_and_department(catalogue, client, query, found, not_found):
    html = client.get(reverse("guide:catalogue"), {"q": query}).content.decode()

    assert found in html
    assert not_found not in html


def test_search_with_no_result_says_so(catalogue, client):
    html = client.get(reverse("guide:catalogue"), {"q": "不存在的事项"}).content.decode()
    assert "没有找到" in html


def test_unknown_code_and_unknown_version_are_404(catalogue, client):
    assert client.get("/guide/99999999-XK-9999/").status_code == 404
    assert client.get("/guide/not-a-code/").status_code == 404
    assert client.get(f"/guide/{CONSTRUCTION_PERMIT.code}/?version=9").status_code == 404
    assert client.get(f"/guide/{CONSTRUCTION_PERMIT.code}/?version=x").status_code == 404
    for odd in ("²", "٣", "1_0", "9" * 30):  # "²".isdigit() is True and int("²") a 500
        assert client.get(f"/guide/{CONSTRUCTION_PERMIT.code}/?version={odd}").status_code == 404
    assert client.get("/guide/bundle/no-such-bundle/").status_code == 404


def test_older_version_stays_readable(catalogue, client):
    item = ServiceItem.objects.get(code=CONSTRUCTION_PERMIT.code)
    new = item_new_version(item=item, effective_from=datetime.date(2025, 6, 1))
    new.name = "社会投资项目建设工程规划许可及施工许可（2025 版）"
    new.save()

    current = client.get(reverse("guide:item", args=[item.code])).content.decode()
    old = client.get(reverse("guide:item", args=[item.code]), {"version": 1}).content.decode()

    assert "（2025 版）" in current
    assert "历史" in old and "（2025 版）" not in old.split("版本记录")[0]


def test_bundle_page_shows_the_current_version_of_its_items(catalogue, client):
    bundle = Bundle.objects.get(code="qiye-kaiban")
    item = bundle.items.get(code="44030400-XK-0002")
    new = item_new_version(item=item, effective_from=datetime.date(2025, 6, 1))
    new.name = "企业设立登记（新版）"
    new.save()

    html = client.get(reverse("guide:bundle", args=[bundle.code])).content.decode()
    assert "企业设立登记（新版）" in html


def test_kiosk_variant_has_its_body_class(catalogue, client):
    for url in (
        reverse("guide:kiosk"),
        reverse("guide:catalogue") + "?kiosk=1",
        reverse("guide:item", args=[CONSTRUCTION_PERMIT.code]) + "?kiosk=1",
    ):
        html = client.get(url).content.decode()
        assert re.search(r'<body class="[^"]*\bkiosk\b', html), url
    assert (
        "kiosk"
        not in re.search(r'<body class="([^"]*)"', client.get("/guide/").content.decode())[1]
    )


def test_svg_escapes_text_and_labels_itself():
    from approvals.catalogue.plans import StagePlan, StepPlan

    department = Department(pk=1, code="X", name="<script>局&</script>")
    plan = [
        StagePlan(
            number=1,
            name="审查 & 决定",
            lead_department=department,
            steps=(StepPlan(department, '"引号"<b>', 3, deemed_approval=False, is_lead=True),),
        )
    ]
    svg = str(stage_plan_svg(plan, title="标题<>", id_prefix="t"))

    root = ElementTree.fromstring(svg)
    assert "<script>" not in svg
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t-title t-desc"
    assert root.find(f"{SVG_NS}title").text == "标题<>"
    assert "<script>局&</script>" in root.find(f"{SVG_NS}desc").text
    texts = "".join(node.text or "" for node in root.iter(f"{SVG_NS}text"))
    assert "<script>局&</script>" in texts and "承诺 3 个工作日" in texts


# --- Admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(catalogue, client, make_user):
    user = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:approvals_serviceitem_changelist",
        "admin:approvals_serviceitem_add",
        "admin:approvals_itemstage_changelist",
        "admin:approvals_itemstage_add",
        "admin:approvals_bundle_changelist",
        "admin:approvals_bundle_add",
        "admin:departments_department_changelist",
        "admin:departments_department_add",
        "admin:departments_officer_changelist",
    ],
)
def test_admin_pages_render(admin_client, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_admin_change_pages_render(admin_client):
    item = ServiceItem.objects.get(code=CONSTRUCTION_PERMIT.code)
    stage = item.stages.first()
    for url in (
        reverse("admin:approvals_serviceitem_change", args=[item.pk]),
        reverse("admin:approvals_itemstage_change", args=[stage.pk]),
        reverse("admin:approvals_bundle_change", args=[Bundle.objects.first().pk]),
        reverse("admin:departments_department_change", args=[item.lead_department.pk]),
        reverse("admin:approvals_serviceitem_changelist") + "?q=人民防空",
    ):
        assert admin_client.get(url).status_code == 200, url


def _management(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _item_post(department, **overrides) -> dict[str, str]:
    data = {
        "code": "44030400-XK-0999",
        "version": "1",
        "name": "新事项",
        "handling_type": "promised",
        "applicant_type": "any",
        "queue_category": "general",
        "lead_department": str(department.pk),
        "legal_basis": "依据",
        "conditions": "条件",
        "fee": "不收费",
        "online_filing": "on",
        "max_visits": "1",
        "statutory_days": "20",
        "issuance_days": "10",
        "promised_days": "10",
        "effective_from": "2025-01-01",
        "instant_rules": "[]",  # what the admin's form shows for no rules
        "instant_sample_percent": "10",
        **_management("questions"),
        **_management("materials"),
        **_management("stages"),
    }
    data.update(overrides)
    return data


def test_admin_shows_model_errors_at_the_field(admin_client):
    department = Department.objects.get(code="FT-SCJG")
    response = admin_client.post(
        reverse("admin:approvals_serviceitem_add"),
        _item_post(department, promised_days="25", effective_to="2024-12-01"),
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "不得超过法定时限" in form.errors["promised_days"][0]
    assert "effective_to" in form.errors
    assert not ServiceItem.objects.filter(code="44030400-XK-0999").exists()


def test_admin_checks_material_conditions_against_the_questions_being_saved(admin_client):
    department = Department.objects.get(code="FT-SCJG")
    data = _item_post(department)
    data.update(
        {
            "questions-TOTAL_FORMS": "1",
            "questions-0-order": "1",
            "questions-0-key": "agent",
            "questions-0-text": "是否委托代理人",
            "questions-0-choices": '[["yes", "是"], ["no", "否"]]',
            "materials-TOTAL_FORMS": "2",
            "materials-0-order": "1",
            "materials-0-name": "授权委托书",
            "materials-0-form": "original",
            "materials-0-copies": "1",
            "materials-0-applicant_type": "any",
            "materials-0-question_key": "agent",
            "materials-0-question_answer": "maybe",
            "materials-1-order": "2",
            "materials-1-name": "代理人身份证",
            "materials-1-form": "copy",
            "materials-1-copies": "1",
            "materials-1-applicant_type": "any",
            "materials-1-question_key": "agnet",
            "materials-1-question_answer": "yes",
        }
    )
    response = admin_client.post(reverse("admin:approvals_serviceitem_add"), data)

    assert response.status_code == 200
    [material_formset] = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.prefix == "materials"
    ]
    errors = material_formset.formset.errors
    assert "question_answer" in errors[0]
    assert "question_key" in errors[1]

    # Fixing the answer and the key saves the item with both
    data["materials-0-question_answer"] = "yes"
    data["materials-1-question_key"] = "agent"
    response = admin_client.post(reverse("admin:approvals_serviceitem_add"), data)
    assert response.status_code == 302
    item = ServiceItem.objects.get(code="44030400-XK-0999")
    assert item.materials.count() == 2


def test_admin_action_creates_a_new_version(admin_client):
    item = ServiceItem.objects.get(code=CONSTRUCTION_PERMIT.code)
    changelist = reverse("admin:approvals_serviceitem_changelist")

    # The action first asks for the date
    response = admin_client.post(
        changelist, {"action": "new_version", "_selected_action": [str(item.pk)]}
    )
    assert response.status_code == 200
    assert "新版本生效日期" in response.content.decode()

    response = admin_client.post(
        changelist,
        {
            "action": "new_version",
            "_selected_action": [str(item.pk)],
            "apply": "1",
            "effective_from": "2025-09-01",
        },
        follow=True,
    )
    assert response.status_code == 200
    new = ServiceItem.objects.get(code=item.code, version=2)
    assert new.effective_from == datetime.date(2025, 9, 1)
    assert item_stage_plan(item=new).serial_days == item_stage_plan(item=item).serial_days
    item.refresh_from_db()
    assert item.effective_to == datetime.date(2025, 8, 31)


def test_admin_action_reports_a_refused_version(admin_client):
    item = ServiceItem.objects.get(code=CONSTRUCTION_PERMIT.code)
    response = admin_client.post(
        reverse("admin:approvals_serviceitem_changelist"),
        {
            "action": "new_version",
            "_selected_action": [str(item.pk)],
            "apply": "1",
            "effective_from": "2024-01-01",
        },
        follow=True,
    )
    assert "未能新建版本" in response.content.decode()
    assert not ServiceItem.objects.filter(code=item.code, version=2).exists()


def test_admin_refuses_instant_approval_rules_that_do_not_parse(admin_client):
    department = Department.objects.get(code="FT-SCJG")
    data = _item_post(
        department,
        instant_approval="on",
        instant_rules='[{"type": "shell", "command": "rm -rf /"}]',
    )
    response = admin_client.post(reverse("admin:approvals_serviceitem_add"), data)
    assert response.status_code == 200
    assert "不认识的条件类型“shell”" in response.content.decode()
    data["instant_rules"] = '[{"type": "no_credit_mark"}, {"type": "materials_complete"}]'
    response = admin_client.post(reverse("admin:approvals_serviceitem_add"), data)
    assert response.status_code == 302


def test_elder_mode_catalogue_opens_on_the_services_filed_most(catalogue, client):
    from hall.platform.sessions import ELDER_COOKIE
    from tests.departments.builders import bare_case

    most = ServiceItem.objects.get(code=CONSTRUCTION_PERMIT.code)
    for _ in range(2):
        bare_case(item=most)
    client.cookies[ELDER_COOKIE] = "1"

    html = client.get(reverse("guide:catalogue")).content.decode()

    tiles = re.findall(r'<a class="tile guide-tile" href="/guide/([^/]+)/"', html)
    current = ServiceItem.objects.filter(code__in=[spec.code for spec in ITEMS]).count()
    assert tiles[0] == CONSTRUCTION_PERMIT.code
    assert 1 < len(tiles) == min(6, current) < current
    assert "常用服务" in html and f"查看全部 {current} 个事项" in html
    full = client.get(reverse("guide:catalogue"), {"all": "1"}).content.decode()
    assert "一件事一次办" in full and full.count('<th scope="row">') == current
    found = client.get(reverse("guide:catalogue"), {"q": "施工"}).content.decode()
    assert CONSTRUCTION_PERMIT.name in found and "常用服务" not in found
