"""Demo catalogue of a Shenzhen district hall (福田区): departments, officers, items and bundles.

`demo_catalogue_seed` is idempotent: every row is found by its code (departments, items, bundles),
its username (officers) or its natural key inside an item, so running it again creates nothing.
The data are illustrative, not an official catalogue; the construction item reproduces the source
article's point: many departments, hundreds of working days in series, a fraction in parallel.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

EFFECTIVE_FROM = datetime.date(2025, 1, 1)
HALL_ADDRESS = "深圳市福田区福田街道福华路 福田区行政服务大厅"
YES_NO = [["yes", "是"], ["no", "否"]]


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    name: str
    short_name: str
    level: str
    phone: str
    window: str
    officer_name: str
    officer_title: str

    @property
    def username(self) -> str:
        return "officer-" + self.code.removeprefix("FT-").lower()


DEPARTMENTS: tuple[DemoDepartment, ...] = (
    DemoDepartment(
        "FT-FGJ",
        "深圳市福田区发展和改革局",
        "区发展改革局",
        "district",
        "0755-8291 8001",
        "B 区 01 号窗口",
        "何建国",
        "投资科科长",
    ),
    DemoDepartment(
        "FT-SCJG",
        "深圳市市场监督管理局福田监管局",
        "区市场监管局",
        "city",
        "0755-8291 8002",
        "A 区 01–06 号窗口",
        "林晓敏",
        "登记注册科科长",
    ),
    DemoDepartment(
        "FT-GA",
        "深圳市公安局福田分局",
        "区公安分局",
        "city",
        "0755-8291 8003",
        "A 区 07–08 号窗口",
        "郑海峰",
        "治安管理大队副大队长",
    ),
    DemoDepartment(
        "FT-JJ",
        "深圳市公安局交通警察局福田大队",
        "福田交警大队",
        "city",
        "0755-8291 8004",
        "B 区 09 号窗口",
        "罗志强",
        "秩序中队中队长",
    ),
    DemoDepartment(
        "FT-SW",
        "国家税务总局深圳市福田区税务局",
        "区税务局",
        "city",
        "0755-8291 8005",
        "A 区 09–12 号窗口",
        "黄丽娟",
        "纳税服务科科长",
    ),
    DemoDepartment(
        "FT-RLZY",
        "深圳市福田区人力资源局",
        "区人力资源局",
        "district",
        "0755-8291 8006",
        "A 区 13 号窗口",
        "吴嘉怡",
        "社会保险科科长",
    ),
    DemoDepartment(
        "FT-GHZY",
        "深圳市规划和自然资源局福田管理局",
        "规划资源福田局",
        "city",
        "0755-8291 8007",
        "B 区 02–03 号窗口",
        "许文涛",
        "规划科科长",
    ),
    DemoDepartment(
        "FT-STHJ",
        "深圳市生态环境局福田管理局",
        "生态环境福田局",
        "city",
        "0755-8291 8008",
        "B 区 04 号窗口",
        "蔡敏华",
        "环评科科长",
    ),
    DemoDepartment(
        "FT-ZJ",
        "深圳市福田区住房和建设局",
        "区住房建设局",
        "district",
        "0755-8291 8009",
        "B 区 05–06 号窗口",
        "陈国栋",
        "建设管理科科长",
    ),
    DemoDepartment(
        "FT-XF",
        "深圳市福田区消防救援大队",
        "区消防救援大队",
        "district",
        "0755-8291 8010",
        "B 区 07 号窗口",
        "邓卫东",
        "防火监督科科长",
    ),
    DemoDepartment(
        "FT-RF",
        "深圳市福田区人民防空办公室",
        "区人防办",
        "district",
        "0755-8291 8011",
        "B 区 08 号窗口",
        "梁振华",
        "工程科科长",
    ),
    DemoDepartment(
        "FT-SWJ",
        "深圳市福田区水务局",
        "区水务局",
        "district",
        "0755-8291 8012",
        "B 区 10 号窗口",
        "钟静",
        "水保科科长",
    ),
    DemoDepartment(
        "FT-JT",
        "深圳市交通运输局福田管理局",
        "交通运输福田局",
        "city",
        "0755-8291 8013",
        "B 区 11 号窗口",
        "谢永明",
        "道路科科长",
    ),
    DemoDepartment(
        "FT-CG",
        "深圳市福田区城市管理和综合执法局",
        "区城管局",
        "district",
        "0755-8291 8014",
        "B 区 12 号窗口",
        "杨秀兰",
        "绿化科科长",
    ),
    DemoDepartment(
        "FT-YJ",
        "深圳市福田区应急管理局",
        "区应急管理局",
        "district",
        "0755-8291 8015",
        "C 区 01 号窗口",
        "周建华",
        "危化品监管科科长",
    ),
    DemoDepartment(
        "FT-WJ",
        "深圳市福田区卫生健康局",
        "区卫生健康局",
        "district",
        "0755-8291 8016",
        "C 区 02 号窗口",
        "孙慧",
        "卫生监督所副所长",
    ),
    DemoDepartment(
        "FT-MZ",
        "深圳市福田区民政局",
        "区民政局",
        "district",
        "0755-8291 8017",
        "C 区 05 号窗口",
        "高秀英",
        "养老服务科科长",
    ),
    DemoDepartment(
        "FT-YB",
        "深圳市医疗保障局福田分局",
        "区医保分局",
        "district",
        "0755-8291 8018",
        "C 区 06 号窗口",
        "何丽娟",
        "参保服务科科长",
    ),
)
# The demo login `officer` (hall.demo.DEMO_LOGINS) works in the market regulator, not as its head.
DEMO_OFFICER_USERNAME = "officer"
DEMO_OFFICER_DEPARTMENT = "FT-SCJG"


@dataclass(frozen=True)
class DemoQuestion:
    key: str
    text: str
    choices: list = field(default_factory=lambda: YES_NO)


@dataclass(frozen=True)
class DemoMaterial:
    name: str
    form: str = "original"
    copies: int = 1
    applicant_type: str = "any"
    question_key: str = ""
    question_answer: str = ""
    notes: str = ""
    licence_type: str = ""  # a licence the library can look up (免证办)
    secondary: bool = False  # may be missing at acceptance (容缺受理)
    commitment_allowed: bool = False  # a written commitment may replace it (告知承诺制)
    code: str = ""  # the same material in several items (一套材料: received once in a bundle)


@dataclass(frozen=True)
class DemoStep:
    department: str
    name: str
    days: int
    deemed_approval: bool = True


@dataclass(frozen=True)
class DemoStage:
    name: str
    lead: str
    steps: tuple[DemoStep, ...]


@dataclass(frozen=True)
class DemoItem:
    code: str
    name: str
    handling_type: str
    applicant_type: str
    queue_category: str
    lead: str
    statutory_days: int
    promised_days: int
    legal_basis: str
    conditions: str
    questions: tuple[DemoQuestion, ...]
    materials: tuple[DemoMaterial, ...]
    stages: tuple[DemoStage, ...] = ()
    fee: str = "不收费"
    online_filing: bool = True
    max_visits: int = 1
    serial: bool = False
    limit_legal_basis: str = ""
    licence_type: str = ""  # the electronic licence a grant issues
    licence_name: str = ""
    licence_validity_years: int | None = None
    instant_rules: tuple[dict, ...] = ()  # 秒批 when not empty (approvals.catalogue.rules)
    instant_sample_percent: int = 10
    commitment_text: str = ""  # 告知承诺制 when not empty
    commitment_liability: str = ""
    commitment_verify_days: int = 30


AGENT_QUESTION = DemoQuestion("agent", "是否委托代理人办理")
AGENT_MATERIALS = (
    DemoMaterial(
        "授权委托书",
        question_key="agent",
        question_answer="yes",
        notes="写明委托事项、权限和期限，委托人签名或盖章。",
        code="power-of-attorney",
    ),
    DemoMaterial(
        "代理人身份证件",
        form="copy",
        question_key="agent",
        question_answer="yes",
        notes="验原件，留存复印件。",
        code="agent-id",
    ),
)
BUSINESS_LICENCE = "business-licence"
FOOD_BUSINESS_LICENCE = "food-business"
LICENCE_ID = DemoMaterial(
    "营业执照",
    form="copy",
    applicant_type="enterprise",
    notes="加盖公章。本大厅电子证照库已有的，共享获取，无需提交。",
    licence_type=BUSINESS_LICENCE,
    code="business-licence-copy",
)
PERSON_ID = DemoMaterial(
    "申请人身份证件", form="copy", applicant_type="person", notes="验原件。", code="applicant-id"
)
LEGAL_REP_ID = DemoMaterial(
    "法定代表人身份证件",
    form="copy",
    applicant_type="enterprise",
    notes="验原件。",
    code="legal-representative-id",
)
ON_THE_SPOT_NAME_CHANGE = DemoItem(
    code="44030400-QR-0001",
    name="个体工商户变更登记（名称变更）",
    handling_type="on_the_spot",
    applicant_type="person",
    queue_category="business",
    lead="FT-SCJG",
    statutory_days=3,
    promised_days=0,
    legal_basis=(
        "《市场主体登记管理条例》第二十四条、第二十九条\n《促进个体工商户发展条例》第十一条"
    ),
    conditions=(
        "1. 经营者为个体工商户登记的经营者本人；\n"
        "2. 新名称已通过企业名称自主申报系统申报，且不与同行政区划内已登记名称相同；\n"
        "3. 无未结清的行政处罚、未被列入经营异常名录。"
    ),
    questions=(AGENT_QUESTION,),
    materials=(
        DemoMaterial("个体工商户变更登记申请书", notes="经营者签名。"),
        DemoMaterial("经营者身份证件", form="copy", notes="验原件。"),
        DemoMaterial("营业执照正、副本", notes="换发新照时收回。"),
        *AGENT_MATERIALS,
    ),
)
RESIDENCE_CERTIFICATE = DemoItem(
    code="44030400-GG-0010",
    name="户籍证明开具",
    handling_type="on_the_spot",
    applicant_type="person",
    queue_category="social",
    lead="FT-GA",
    statutory_days=1,
    promised_days=0,
    legal_basis=(
        "《中华人民共和国户口登记条例》\n"
        "《公安部关于规范派出所出具证明工作的意见》（公治〔2016〕1129号）"
    ),
    conditions="本人户籍在福田区；证明用途属于派出所出具证明的事项范围。",
    questions=(
        AGENT_QUESTION,
        DemoQuestion("deceased", "是否为已注销户口人员开具（如亲属关系、死亡证明）"),
    ),
    materials=(
        DemoMaterial("居民身份证或户口簿", notes="验原件。"),
        DemoMaterial(
            "与被证明人关系证明",
            form="copy",
            question_key="deceased",
            question_answer="yes",
            notes="如结婚证、出生医学证明。",
        ),
        *AGENT_MATERIALS,
    ),
)
FOOD_LICENCE = DemoItem(
    code="44030400-XK-0001",
    name="食品经营许可（新办）",
    handling_type="promised",
    applicant_type="any",
    queue_category="business",
    lead="FT-SCJG",
    statutory_days=20,
    promised_days=10,
    legal_basis=(
        "《中华人民共和国食品安全法》第三十五条\n"
        "《中华人民共和国行政许可法》第四十二条\n"
        "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"
    ),
    conditions=(
        "1. 已取得营业执照等合法主体资格；\n"
        "2. 具有与经营的食品品种、数量相适应的经营场所，远离有毒、有害场所及其他污染源；\n"
        "3. 有食品安全管理人员和保证食品安全的规章制度；\n"
        "4. 具有合理的设备布局和工艺流程。"
    ),
    questions=(
        AGENT_QUESTION,
        DemoQuestion("cooked_food", "经营项目是否含热食类、冷食类或自制饮品制售"),
        DemoQuestion("online_sales", "是否通过网络经营食品"),
    ),
    materials=(
        DemoMaterial("食品经营许可申请书", notes="法定代表人（负责人）签字，企业加盖公章。"),
        LICENCE_ID,
        PERSON_ID,
        DemoMaterial(
            "食品安全管理人员身份证件及培训考核合格证明",
            form="copy",
            notes="验原件。培训考核合格证明暂缺的，可容缺受理，限期补齐。",
            secondary=True,
        ),
        DemoMaterial(
            "食品安全管理制度文本",
            applicant_type="enterprise",
            notes="含进货查验、从业人员健康管理、食品安全自查等制度。",
        ),
        DemoMaterial("经营场所平面图及设备布局、操作流程图", notes="标明面积与各功能区。"),
        DemoMaterial(
            "专间、专用操作区设置说明及照片",
            question_key="cooked_food",
            question_answer="yes",
        ),
        DemoMaterial(
            "网络经营网址及网店名称说明",
            form="electronic",
            question_key="online_sales",
            question_answer="yes",
        ),
        *AGENT_MATERIALS,
    ),
    stages=(
        DemoStage(
            "受理审查与现场核查",
            "FT-SCJG",
            (DemoStep("FT-SCJG", "材料审查、现场核查与许可决定", 10, deemed_approval=False),),
        ),
    ),
    licence_type=FOOD_BUSINESS_LICENCE,
    licence_name="食品经营许可证",
    licence_validity_years=5,
)
COMPANY_REGISTRATION = DemoItem(
    code="44030400-XK-0002",
    name="企业设立登记",
    handling_type="promised",
    applicant_type="enterprise",
    queue_category="business",
    lead="FT-SCJG",
    statutory_days=3,
    promised_days=1,
    legal_basis="《中华人民共和国公司法》第二十九条\n《市场主体登记管理条例》第十九条",
    conditions=(
        "1. 名称已通过自主申报；\n2. 有符合章程规定的股东、出资和住所；\n"
        "3. 法定代表人已完成实名认证。"
    ),
    questions=(
        AGENT_QUESTION,
        DemoQuestion("foreign_investor", "股东中是否有外国投资者"),
    ),
    materials=(
        DemoMaterial("企业设立登记申请书", notes="全体股东电子签名。"),
        DemoMaterial("公司章程", notes="全体股东签署。"),
        LEGAL_REP_ID,
        DemoMaterial("股东主体资格证明或自然人身份证件", form="copy"),
        DemoMaterial(
            "住所使用证明",
            form="copy",
            notes="房屋租赁合同或产权证明；可签署告知承诺书替代（住所承诺制）。",
            commitment_allowed=True,
        ),
        DemoMaterial(
            "外国投资者主体资格证明（经公证认证）",
            question_key="foreign_investor",
            question_answer="yes",
        ),
        *AGENT_MATERIALS,
    ),
    stages=(
        DemoStage("登记审核", "FT-SCJG", (DemoStep("FT-SCJG", "设立登记审核与核发营业执照", 1),)),
    ),
    licence_type=BUSINESS_LICENCE,
    licence_name="营业执照",
    commitment_text="申请人承诺对所申报的住所依法享有使用权，住所符合法律法规规定的用途。",
    commitment_liability=(
        "承诺不实的，登记机关依法撤销登记、吊销营业执照，申请人承担相应法律责任，并记入信用记录。"
    ),
    commitment_verify_days=20,
)
SEAL_ENGRAVING = DemoItem(
    code="44030400-GG-0001",
    name="新办企业公章刻制备案",
    handling_type="promised",
    applicant_type="enterprise",
    queue_category="business",
    lead="FT-GA",
    statutory_days=3,
    promised_days=1,
    legal_basis=(
        "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第37项\n"
        "《印章业治安管理办法》"
    ),
    conditions="已取得营业执照；由依法备案的印章刻制企业刻制。",
    questions=(
        AGENT_QUESTION,
        DemoQuestion("invoice_seal", "是否同时刻制发票专用章"),
    ),
    materials=(
        LICENCE_ID,
        LEGAL_REP_ID,
        DemoMaterial("发票专用章刻制申请表", question_key="invoice_seal", question_answer="yes"),
        *AGENT_MATERIALS,
    ),
    stages=(DemoStage("备案", "FT-GA", (DemoStep("FT-GA", "印章刻制备案", 1),)),),
    # 秒批: an enterprise whose business licence is in the library, with a clean record, filing
    # for itself with every material, is granted by the system at once
    instant_rules=(
        {"type": "applicant_type", "equals": "enterprise"},
        {"type": "licence", "licence_type": BUSINESS_LICENCE},
        {"type": "answer", "question": "agent", "equals": "no"},
        {"type": "no_credit_mark"},
        {"type": "materials_complete"},
    ),
    instant_sample_percent=20,
)
TAX_REGISTRATION = DemoItem(
    code="44030400-GG-0002",
    name="新办纳税人涉税事项办理及发票申领",
    handling_type="promised",
    applicant_type="enterprise",
    queue_category="business",
    lead="FT-SW",
    statutory_days=5,
    promised_days=1,
    legal_basis="《中华人民共和国税收征收管理法》第十五条\n《中华人民共和国发票管理办法》第十五条",
    conditions="已取得营业执照；法定代表人、财务负责人、办税人员已完成实名采集。",
    questions=(
        AGENT_QUESTION,
        DemoQuestion(
            "taxpayer_type",
            "申请登记为哪类增值税纳税人",
            [["small", "小规模纳税人"], ["general", "一般纳税人"]],
        ),
    ),
    materials=(
        LICENCE_ID,
        DemoMaterial("财务负责人、办税人员身份证件", form="copy"),
        DemoMaterial(
            "增值税一般纳税人登记表",
            question_key="taxpayer_type",
            question_answer="general",
        ),
        *AGENT_MATERIALS,
    ),
    stages=(
        DemoStage("涉税事项", "FT-SW", (DemoStep("FT-SW", "税务信息确认、票种核定与发票发放", 1),)),
    ),
)
SOCIAL_INSURANCE = DemoItem(
    code="44030400-GG-0003",
    name="单位社会保险参保登记",
    handling_type="promised",
    applicant_type="enterprise",
    queue_category="business",
    lead="FT-RLZY",
    statutory_days=5,
    promised_days=1,
    legal_basis="《中华人民共和国社会保险法》第五十七条\n《社会保险费征缴暂行条例》第七条",
    conditions="用人单位自成立之日起三十日内申请办理。",
    questions=(AGENT_QUESTION,),
    materials=(
        LICENCE_ID,
        DemoMaterial("单位参保登记表"),
        DemoMaterial("单位银行开户信息", form="copy"),
        *AGENT_MATERIALS,
    ),
    stages=(DemoStage("参保登记", "FT-RLZY", (DemoStep("FT-RLZY", "单位参保登记审核", 1),)),),
)
ROAD_EXCAVATION = DemoItem(
    code="44030400-XK-0005",
    name="占用、挖掘城市道路审批（联合办理）",
    handling_type="joint",
    applicant_type="any",
    queue_category="construction",
    lead="FT-JT",
    statutory_days=45,
    promised_days=10,
    legal_basis=(
        "《城市道路管理条例》第三十一条、第三十三条\n"
        "《中华人民共和国道路交通安全法》第三十二条\n"
        "《中华人民共和国行政许可法》第二十六条、第四十二条（统一办理、联合办理 45 日）"
    ),
    conditions=(
        "1. 因工程建设确需占用或挖掘城市道路；\n"
        "2. 有经审查的施工方案和交通疏解方案；\n"
        "3. 涉及绿地或树木的，已有绿化恢复方案。"
    ),
    questions=(
        AGENT_QUESTION,
        DemoQuestion("trees", "是否涉及占用绿地或迁移、砍伐树木"),
        DemoQuestion("night_work", "是否需要夜间施工"),
    ),
    materials=(
        DemoMaterial("占用挖掘城市道路申请表"),
        LICENCE_ID,
        PERSON_ID,
        DemoMaterial("施工图及占道范围平面图", copies=2),
        DemoMaterial("交通疏解方案", copies=2, notes="含施工期交通组织与安全设施布置。"),
        DemoMaterial("绿化恢复方案及树木迁移清单", question_key="trees", question_answer="yes"),
        DemoMaterial(
            "夜间施工证明或申请材料", form="copy", question_key="night_work", question_answer="yes"
        ),
        *AGENT_MATERIALS,
    ),
    stages=(
        DemoStage(
            "联合审查",
            "FT-JT",
            (
                DemoStep("FT-JT", "道路占用挖掘审查", 10),
                DemoStep("FT-JJ", "交通安全与交通疏解方案审查", 8),
                DemoStep("FT-CG", "绿化及市容环境影响审查", 7),
            ),
        ),
    ),
)
# The source article: 967 working days, at least 16 steps, 11 departments, one after another.
CONSTRUCTION_PERMIT = DemoItem(
    code="44030400-XK-0010",
    name="社会投资项目建设工程规划许可及施工许可（并联审批）",
    handling_type="joint",
    applicant_type="enterprise",
    queue_category="construction",
    lead="FT-ZJ",
    statutory_days=120,
    promised_days=80,
    limit_legal_basis="工程建设项目审批制度改革的地方性法规设定的并联审批总时限（演示数据）",
    legal_basis=(
        "《中华人民共和国城乡规划法》第四十条\n"
        "《中华人民共和国建筑法》第七条、第八条\n"
        "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）\n"
        "《国务院办公厅关于全面开展工程建设项目审批制度改革的实施意见》"
        "（国办发〔2019〕11号，全流程审批时间压减至120个工作日以内）"
    ),
    conditions=(
        "1. 项目已取得土地使用权；\n"
        "2. 建设资金已经落实；\n"
        "3. 有满足施工需要的施工图纸及技术资料；\n"
        "4. 已确定建筑施工企业。"
    ),
    questions=(
        AGENT_QUESTION,
        DemoQuestion("basement", "是否建设地下室（涉及人防工程）"),
        DemoQuestion("eia_report", "环境影响评价类别是否为报告书"),
        DemoQuestion("large_site", "项目用地面积是否超过 1 公顷（需编报水土保持方案）"),
    ),
    materials=(
        DemoMaterial("工程建设项目审批（并联）申请表"),
        LICENCE_ID,
        LEGAL_REP_ID,
        DemoMaterial("项目备案证明或核准文件", form="copy"),
        DemoMaterial("土地使用权出让合同或不动产权证书", form="copy"),
        DemoMaterial("建设工程设计方案及总平面图", form="electronic"),
        DemoMaterial("交通影响评价报告", form="electronic"),
        DemoMaterial("消防设计文件", form="electronic"),
        DemoMaterial("施工图设计文件审查合格书", form="copy"),
        DemoMaterial("施工合同及中标通知书", form="copy"),
        DemoMaterial(
            "环境影响报告书",
            form="electronic",
            question_key="eia_report",
            question_answer="yes",
        ),
        DemoMaterial(
            "环境影响报告表",
            form="electronic",
            question_key="eia_report",
            question_answer="no",
        ),
        DemoMaterial(
            "人防工程设计文件",
            form="electronic",
            question_key="basement",
            question_answer="yes",
        ),
        DemoMaterial(
            "水土保持方案报告书",
            form="electronic",
            question_key="large_site",
            question_answer="yes",
        ),
        *AGENT_MATERIALS,
    ),
    stages=(
        DemoStage(
            "立项用地规划许可",
            "FT-FGJ",
            (
                DemoStep("FT-FGJ", "企业投资项目备案（核准）", 20),
                DemoStep("FT-GHZY", "用地预审与选址意见", 30),
                DemoStep("FT-STHJ", "环境影响评价文件审批", 30, deemed_approval=False),
                DemoStep("FT-SWJ", "水土保持方案审批", 20),
                DemoStep("FT-JT", "交通影响评价审查", 25),
                DemoStep("FT-CG", "占用林地及树木迁移审批", 20),
            ),
        ),
        DemoStage(
            "工程建设许可",
            "FT-GHZY",
            (
                DemoStep("FT-GHZY", "建设工程规划许可证核发", 30),
                DemoStep("FT-XF", "消防设计审查", 20, deemed_approval=False),
                DemoStep("FT-RF", "人防工程设计审查", 20),
                DemoStep("FT-ZJ", "施工图设计文件审查", 25),
                DemoStep("FT-SWJ", "排水方案审查", 15),
                DemoStep("FT-JJ", "交通组织设计审查", 15),
                DemoStep("FT-CG", "绿化方案审查", 15),
            ),
        ),
        DemoStage(
            "施工许可",
            "FT-ZJ",
            (
                DemoStep("FT-ZJ", "建筑工程施工许可证核发", 20),
                DemoStep("FT-CG", "建筑废弃物排放核准", 15),
                DemoStep("FT-JJ", "施工期间交通组织方案备案", 10),
                DemoStep("FT-SWJ", "临时排水许可", 10),
            ),
        ),
    ),
)
PUBLIC_VENUE_HYGIENE = DemoItem(
    code="44030400-XK-0020",
    name="公共场所卫生许可（新办）",
    handling_type="promised",
    applicant_type="any",
    queue_category="social",
    lead="FT-WJ",
    statutory_days=20,
    promised_days=5,
    legal_basis="《公共场所卫生管理条例》第八条\n《公共场所卫生管理条例实施细则》第二十二条",
    conditions="经营场所符合卫生标准和要求，从业人员持有效健康合格证明。",
    questions=(
        AGENT_QUESTION,
        DemoQuestion("swimming", "场所是否为游泳场（馆）"),
    ),
    materials=(
        DemoMaterial("公共场所卫生许可申请表"),
        LICENCE_ID,
        PERSON_ID,
        DemoMaterial("场所平面图及卫生设施布局说明"),
        DemoMaterial("卫生管理制度", applicant_type="enterprise"),
        DemoMaterial(
            "水质检测报告",
            form="copy",
            question_key="swimming",
            question_answer="yes",
            notes="由有资质的检测机构出具，一年内有效。",
        ),
        *AGENT_MATERIALS,
    ),
    stages=(
        DemoStage(
            "审查", "FT-WJ", (DemoStep("FT-WJ", "材料审查与卫生学评价", 5, deemed_approval=False),)
        ),
    ),
)
HAZCHEM_LICENCE = DemoItem(
    code="44030400-XK-0030",
    name="危险化学品经营许可（不带储存设施）",
    handling_type="promised",
    applicant_type="enterprise",
    queue_category="general",
    lead="FT-YJ",
    statutory_days=30,
    promised_days=15,
    limit_legal_basis="《危险化学品经营许可证管理办法》设定的审查时限（演示数据）",
    legal_basis="《危险化学品安全管理条例》第三十三条、第三十五条\n《危险化学品经营许可证管理办法》",
    conditions=(
        "1. 有符合国家标准的经营场所；\n"
        "2. 主要负责人和安全管理人员经考核合格；\n"
        "3. 有健全的安全管理规章制度和事故应急预案。"
    ),
    questions=(
        AGENT_QUESTION,
        DemoQuestion("toxic", "经营品种是否含剧毒化学品"),
    ),
    materials=(
        DemoMaterial("危险化学品经营许可证申请书"),
        LICENCE_ID,
        DemoMaterial("主要负责人、安全管理人员安全资格证书", form="copy"),
        DemoMaterial("安全生产规章制度和岗位操作规程目录"),
        DemoMaterial("事故应急救援预案"),
        DemoMaterial("剧毒化学品治安防范措施说明", question_key="toxic", question_answer="yes"),
        *AGENT_MATERIALS,
    ),
    stages=(
        DemoStage(
            "审查",
            "FT-YJ",
            (DemoStep("FT-YJ", "材料审查与经营场所核查", 15, deemed_approval=False),),
        ),
    ),
)
FIRE_SAFETY_CHECK = DemoItem(
    code="44030400-XK-0040",
    name="公众聚集场所投入使用、营业前消防安全检查",
    handling_type="promised",
    applicant_type="any",
    queue_category="business",
    lead="FT-XF",
    statutory_days=10,
    promised_days=5,
    legal_basis="《中华人民共和国消防法》第十五条",
    conditions="场所已依法通过建设工程消防验收或备案；消防设施完好有效。",
    questions=(
        AGENT_QUESTION,
        DemoQuestion("pledge", "是否选择告知承诺方式办理"),
    ),
    materials=(
        DemoMaterial("公众聚集场所投入使用、营业前消防安全检查申请表"),
        LICENCE_ID,
        PERSON_ID,
        DemoMaterial(
            "消防安全告知承诺书",
            question_key="pledge",
            question_answer="yes",
            notes="当场核发许可。",
        ),
        DemoMaterial(
            "场所平面布置图、场所消防设施平面图",
            question_key="pledge",
            question_answer="no",
        ),
        DemoMaterial(
            "消防安全制度、灭火和应急疏散预案", question_key="pledge", question_answer="no"
        ),
        *AGENT_MATERIALS,
    ),
    stages=(DemoStage("检查", "FT-XF", (DemoStep("FT-XF", "现场检查与许可决定", 5),)),),
)
# 免申即享: the items whose cases the benefits below grant (no questions, no materials: the
# hall holds what they need).
ELDERLY_ALLOWANCE = DemoItem(
    code="44030400-GG-0030",
    name="高龄老人津贴发放",
    handling_type="promised",
    applicant_type="person",
    queue_category="social",
    lead="FT-MZ",
    statutory_days=20,
    promised_days=5,
    legal_basis=(
        "《中华人民共和国老年人权益保障法》第三十三条（国家鼓励地方建立八十周岁以上低收入老年人"
        "高龄津贴制度）"
    ),
    conditions="年满八十周岁。本厅依据已有信息主动发现，本人确认后由区民政局核定发放。",
    questions=(),
    materials=(),
    online_filing=False,
    max_visits=0,
)
STARTUP_SUBSIDY = DemoItem(
    code="44030400-GG-0031",
    name="初创企业一次性创业补贴",
    handling_type="promised",
    applicant_type="enterprise",
    queue_category="business",
    lead="FT-RLZY",
    statutory_days=20,
    promised_days=10,
    legal_basis="《中华人民共和国就业促进法》第七条（国家倡导劳动者自主创业，鼓励多渠道、多形式就业）",
    conditions="近一年内经本厅办理设立登记的企业。本厅主动发现，企业确认后由区人力资源局核定发放。",
    questions=(),
    materials=(),
    online_filing=False,
    max_visits=0,
)

# 新生儿出生一件事 (国务院 2024 年第一批重点事项): the five items of a birth, each with its
# real department; the parents' identity and the household register are one set of materials.
PARENTS_ID = DemoMaterial("父母双方身份证件", form="copy", notes="验原件。", code="parents-id")
HOUSEHOLD_REGISTER = DemoMaterial(
    "户口簿",
    form="original",
    notes="新生儿随父或随母落户的户口簿，验原件。",
    code="household-register",
)
MARRIAGE_CERTIFICATE = DemoMaterial(
    "结婚证", form="copy", notes="验原件。", code="marriage-certificate"
)
NEWBORN_PHOTO = DemoMaterial(
    "新生儿近期免冠照片", form="electronic", notes="白底，电子版。", code="newborn-photo"
)


def _birth_item(code, name, lead, days, statutory, basis, conditions, materials, step):
    return DemoItem(
        code=code,
        name=name,
        handling_type="promised",
        applicant_type="person",
        queue_category="social",
        lead=lead,
        statutory_days=statutory,
        promised_days=days,
        legal_basis=basis,
        conditions=conditions,
        questions=(AGENT_QUESTION,),
        materials=(*materials, *AGENT_MATERIALS),
        stages=(DemoStage("审核", lead, (DemoStep(lead, step, days),)),),
    )


BIRTH_CERTIFICATE = _birth_item(
    "44030400-GG-0040",
    "出生医学证明首次签发",
    "FT-WJ",
    1,
    5,
    "《中华人民共和国母婴保健法》第二十三条",
    "在本区助产机构出生的新生儿，由父母申请首次签发。",
    (
        PARENTS_ID,
        MARRIAGE_CERTIFICATE,
        DemoMaterial("出生医学证明首次签发登记表", notes="助产机构出具，父母签字。"),
    ),
    "助产机构核对出生信息并签发",
)
VACCINATION_CARD = _birth_item(
    "44030400-GG-0041",
    "预防接种证办理",
    "FT-WJ",
    1,
    5,
    "《中华人民共和国疫苗管理法》第四十七条",
    "儿童出生后一个月内，其监护人到儿童居住地承担预防接种工作的接种单位办理预防接种证。",
    (PARENTS_ID, DemoMaterial("新生儿出生时预防接种记录", notes="助产机构出具。")),
    "接种单位建档并发放预防接种证",
)
BIRTH_REGISTRATION = _birth_item(
    "44030400-GG-0042",
    "出生登记（新生儿落户）",
    "FT-GA",
    5,
    20,
    "《中华人民共和国户口登记条例》第七条",
    "婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
    (PARENTS_ID, HOUSEHOLD_REGISTER, MARRIAGE_CERTIFICATE),
    "户籍民警审核并登记户口",
)
NEWBORN_MEDICAL_INSURANCE = _birth_item(
    "44030400-GG-0043",
    "新生儿城乡居民基本医疗保险参保登记",
    "FT-YB",
    1,
    5,
    "《中华人民共和国社会保险法》第二十五条",
    "新生儿落户后即可参保，出生后三个月内参保的，自出生之日起享受待遇。",
    (PARENTS_ID, HOUSEHOLD_REGISTER),
    "参保信息登记",
)
NEWBORN_SOCIAL_SECURITY_CARD = _birth_item(
    "44030400-GG-0044",
    "社会保障卡申领（新生儿）",
    "FT-RLZY",
    5,
    10,
    "《社会保障卡管理办法》（人社部规〔2023〕2号）第十四条",
    "新生儿参保后由监护人代为申领，可选邮寄送达。",
    (PARENTS_ID, NEWBORN_PHOTO),
    "制卡信息审核并制卡",
)
# 老年人福利补贴申请一件事 (2026 年第一批重点事项): the district's subsidies for elderly
# people in hardship, one application to the civil-affairs bureau.
HARDSHIP_PROOF = DemoMaterial(
    "低保、特困或低收入家庭认定证明",
    form="copy",
    notes="本区民政系统已有认定信息的，共享核验，无需提交。",
    code="hardship-proof",
)
BANK_ACCOUNT = DemoMaterial("本人社会保障卡或银行账户", form="copy", code="bank-account")
ELDER_ID = DemoMaterial("申请人身份证件", form="copy", notes="验原件。", code="applicant-id")


def _elder_item(code, name, days, basis, conditions, materials, step):
    return DemoItem(
        code=code,
        name=name,
        handling_type="promised",
        applicant_type="person",
        queue_category="social",
        lead="FT-MZ",
        statutory_days=20,
        promised_days=days,
        legal_basis=basis,
        conditions=conditions,
        questions=(AGENT_QUESTION,),
        materials=(*materials, *AGENT_MATERIALS),
        stages=(DemoStage("审核", "FT-MZ", (DemoStep("FT-MZ", step, days),)),),
        online_filing=False,
    )


ELDER_CARE_SUBSIDY = _elder_item(
    "44030400-GG-0050",
    "经济困难老年人养老服务补贴",
    10,
    "《中华人民共和国老年人权益保障法》第三十条\n"
    "《关于建立健全经济困难的高龄、失能等老年人补贴制度的通知》（财社〔2014〕113号）",
    "本区户籍、年满六十周岁、属低保、特困或低收入家庭的老年人。",
    (ELDER_ID, HOUSEHOLD_REGISTER, HARDSHIP_PROOF, BANK_ACCOUNT),
    "街道初审、区民政局审核",
)
ELDER_NURSING_SUBSIDY = _elder_item(
    "44030400-GG-0051",
    "经济困难失能老年人护理补贴",
    15,
    "《关于建立健全经济困难的高龄、失能等老年人补贴制度的通知》（财社〔2014〕113号）",
    "本区户籍、经评估为失能、属低保、特困或低收入家庭的老年人。",
    (
        ELDER_ID,
        HOUSEHOLD_REGISTER,
        HARDSHIP_PROOF,
        BANK_ACCOUNT,
        DemoMaterial("老年人能力评估报告", notes="区民政局委托的评估机构出具，一年内有效。"),
    ),
    "能力评估复核、区民政局审核",
)

ITEMS: tuple[DemoItem, ...] = (
    ON_THE_SPOT_NAME_CHANGE,
    RESIDENCE_CERTIFICATE,
    FOOD_LICENCE,
    COMPANY_REGISTRATION,
    SEAL_ENGRAVING,
    TAX_REGISTRATION,
    SOCIAL_INSURANCE,
    ROAD_EXCAVATION,
    CONSTRUCTION_PERMIT,
    PUBLIC_VENUE_HYGIENE,
    HAZCHEM_LICENCE,
    FIRE_SAFETY_CHECK,
    ELDERLY_ALLOWANCE,
    STARTUP_SUBSIDY,
    BIRTH_CERTIFICATE,
    VACCINATION_CARD,
    BIRTH_REGISTRATION,
    NEWBORN_MEDICAL_INSURANCE,
    NEWBORN_SOCIAL_SECURITY_CARD,
    ELDER_CARE_SUBSIDY,
    ELDER_NURSING_SUBSIDY,
)


@dataclass(frozen=True)
class DemoBundle:
    code: str
    name: str
    description: str
    queue_category: str
    items: tuple[str, ...]
    lead: str = ""
    national_basis: str = ""


BUNDLES: tuple[DemoBundle, ...] = (
    DemoBundle(
        "qiye-kaiban",
        "企业开办一件事",
        "一张表单、一次提交：营业执照、公章刻制、涉税事项与发票申领、社保参保登记由市场监管、"
        "公安、税务、人力资源部门同时办理，全程网办或到综合窗口一次办结。",
        "business",
        (
            COMPANY_REGISTRATION.code,
            SEAL_ENGRAVING.code,
            TAX_REGISTRATION.code,
            SOCIAL_INSURANCE.code,
        ),
        lead="FT-SCJG",
        national_basis="国务院 2024 年第一批“高效办成一件事”重点事项（国办发〔2024〕3号）",
    ),
    DemoBundle(
        "kai-canting",
        "我要开餐厅一件事",
        "开一家餐厅需要的营业执照、食品经营许可和公众聚集场所消防安全检查，一次告知、一次提交、"
        "并联办理。",
        "business",
        (COMPANY_REGISTRATION.code, FOOD_LICENCE.code, FIRE_SAFETY_CHECK.code),
        lead="FT-SCJG",
    ),
    DemoBundle(
        "xinsheng-chusheng",
        "新生儿出生一件事",
        "孩子出生后，出生医学证明、预防接种证、出生登记（落户）、医保参保和社会保障卡一次申请："
        "父母身份证件、户口簿等只交一份，卫健、公安、医保、人力资源部门同时办理，结果一次送达。",
        "social",
        (
            BIRTH_CERTIFICATE.code,
            VACCINATION_CARD.code,
            BIRTH_REGISTRATION.code,
            NEWBORN_MEDICAL_INSURANCE.code,
            NEWBORN_SOCIAL_SECURITY_CARD.code,
        ),
        lead="FT-WJ",
        national_basis="国务院 2024 年第一批“高效办成一件事”重点事项（国办发〔2024〕3号）",
    ),
    DemoBundle(
        "laonianren-fuli-butie",
        "老年人福利补贴申请一件事",
        "经济困难老年人的养老服务补贴和失能老年人的护理补贴一次申请：身份证件、户口簿、"
        "困难认定证明和收款账户只交一份，区民政局一并审核。行动不便的，可由亲友代办。",
        "social",
        (ELDER_CARE_SUBSIDY.code, ELDER_NURSING_SUBSIDY.code),
        lead="FT-MZ",
        national_basis="国务院 2026 年第一批“高效办成一件事”重点事项",
    ),
)


@dataclass(frozen=True)
class DemoBenefit:
    code: str
    name: str
    name_en: str
    item_code: str
    rules: tuple[dict, ...]
    legal_basis: str
    what_you_get: str


BENEFITS: tuple[DemoBenefit, ...] = (
    DemoBenefit(
        "gaoling-jintie",
        "高龄老人津贴（免申即享）",
        "Allowance for people aged 80 or over (no application)",
        ELDERLY_ALLOWANCE.code,
        ({"type": "applicant_type", "equals": "person"}, {"type": "age_at_least", "years": 80}),
        ELDERLY_ALLOWANCE.legal_basis,
        "年满八十周岁，按月发放高龄津贴",
    ),
    DemoBenefit(
        "chuangye-butie",
        "初创企业一次性创业补贴（免申即享）",
        "One-off start-up subsidy (no application)",
        STARTUP_SUBSIDY.code,
        (
            {"type": "applicant_type", "equals": "enterprise"},
            {"type": "case_granted", "item_code": COMPANY_REGISTRATION.code, "within_days": 365},
        ),
        STARTUP_SUBSIDY.legal_basis,
        "经本厅设立登记一年内的企业，一次性发放创业补贴",
    ),
)


# 接诉即办: the request categories (诉求分类) and the department each usually goes to. Their
# limits are the kinds' own but for one, overridden with its basis stated (demo data).
@dataclass(frozen=True)
class DemoOrderCategory:
    code: str
    name: str
    name_en: str
    kind: str
    department: str | None
    limit_working_days: int | None = None
    limit_basis: str = ""


ORDER_CATEGORIES: tuple[DemoOrderCategory, ...] = (
    DemoOrderCategory(
        "ranqi-xianqing", "燃气泄漏等紧急险情", "Gas leaks and other emergencies", "urgent", "FT-YJ"
    ),
    DemoOrderCategory(
        "banshi-zixun",
        "办事咨询",
        "Questions about services",
        "consultation",
        None,
    ),
    DemoOrderCategory(
        "shenghuo-qiuzhu",
        "生活困难求助",
        "Help with hardship",
        "help",
        "FT-MZ",
    ),
    DemoOrderCategory(
        "zhandao-jingying", "占道经营", "Street vending on roads", "complaint", "FT-CG"
    ),
    DemoOrderCategory(
        "zaosheng-raomin",
        "噪声扰民",
        "Noise nuisance",
        "complaint",
        "FT-STHJ",
    ),
    DemoOrderCategory(
        "chuangkou-fuwu", "窗口服务投诉", "Complaints about window service", "complaint", None
    ),
    DemoOrderCategory(
        "wuye-jiufen",
        "物业纠纷",
        "Property management disputes",
        "help",
        "FT-ZJ",
        limit_working_days=5,
        limit_basis="区12345工作规则第十二条：物业纠纷需现场调解，办理时限5个工作日（演示数据）",
    ),
)
