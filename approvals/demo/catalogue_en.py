"""English for the demo catalogue's texts (items, conditions, fees, materials), keyed by the
Chinese. The seed fills the `*_en` fields from it; what is missing here shows in Chinese, marked,
on the English pages."""

ITEMS = {
    "个体工商户变更登记（名称变更）": "Change of registration of an individual business (new name)",
    "户籍证明开具": "Certificate of household registration",
    "食品经营许可（新办）": "Food business licence (new)",
    "企业设立登记": "Registration of a new enterprise",
    "新办企业公章刻制备案": "Filing the engraving of a new enterprise's seals",
    "新办纳税人涉税事项办理及发票申领": "Tax registration of a new taxpayer and first invoices",
    "单位社会保险参保登记": "Social insurance registration of an employer",
    "占用、挖掘城市道路审批（联合办理）": "Permit to occupy or dig up a city road (joint handling)",
    "社会投资项目建设工程规划许可及施工许可（并联审批）": (
        "Planning and construction permits of a privately invested project (parallel approval)"
    ),
    "公共场所卫生许可（新办）": "Hygiene licence of a public place (new)",
    "危险化学品经营许可（不带储存设施）": "Hazardous chemicals business licence (no storage)",
    "公众聚集场所投入使用、营业前消防安全检查": (
        "Fire safety inspection of a crowded public place before opening"
    ),
    "出生医学证明首次签发": "First issue of a medical certificate of birth",
    "预防接种证办理": "Vaccination card",
    "出生登记（新生儿落户）": "Birth registration (the newborn's household registration)",
    "新生儿城乡居民基本医疗保险参保登记": "Basic medical insurance of a newborn",
    "社会保障卡申领（新生儿）": "Social security card of a newborn",
    "经济困难老年人养老服务补贴": "Elderly care subsidy for older people in hardship",
    "经济困难失能老年人护理补贴": "Nursing subsidy for disabled older people in hardship",
}

CONDITIONS = {
    "个体工商户变更登记（名称变更）": (
        "1. The applicant is the registered operator of the individual business;\n"
        "2. the new name has been declared in the name declaration system and is not the same as"
        " a registered name in the district;\n"
        "3. no unpaid administrative penalty, not on the list of abnormal operations."
    ),
    "户籍证明开具": (
        "Your household is registered in Futian District, and the certificate is one a police"
        " station issues."
    ),
    "食品经营许可（新办）": (
        "1. A business licence or other legal standing;\n"
        "2. premises suited to the food and quantities sold, away from toxic or harmful places"
        " and other sources of pollution;\n"
        "3. food safety staff and rules that keep food safe;\n"
        "4. a sensible layout of equipment and process."
    ),
    "企业设立登记": (
        "1. The name has been declared;\n"
        "2. shareholders, capital and premises as the articles of association require;\n"
        "3. the legal representative's identity has been verified."
    ),
    "新办企业公章刻制备案": (
        "A business licence; the seals are engraved by a registered seal engraver."
    ),
    "新办纳税人涉税事项办理及发票申领": (
        "A business licence; the identities of the legal representative, the financial officer"
        " and the tax clerk have been recorded."
    ),
    "单位社会保险参保登记": "Apply within thirty days of the employer's founding.",
    "占用、挖掘城市道路审批（联合办理）": (
        "1. Construction really needs the road occupied or dug up;\n"
        "2. a reviewed construction plan and traffic diversion plan;\n"
        "3. where green space or trees are affected, a plan to restore them."
    ),
    "社会投资项目建设工程规划许可及施工许可（并联审批）": (
        "1. The land use right has been obtained;\n"
        "2. the funds are in place;\n"
        "3. construction drawings and technical documents fit for the works;\n"
        "4. the construction company has been chosen."
    ),
    "公共场所卫生许可（新办）": (
        "The premises meet the hygiene standards and the staff hold valid health certificates."
    ),
    "危险化学品经营许可（不带储存设施）": (
        "1. Premises that meet the national standards;\n"
        "2. the principal and the safety managers have passed their assessment;\n"
        "3. complete safety rules and an accident emergency plan."
    ),
    "公众聚集场所投入使用、营业前消防安全检查": (
        "The building has passed or filed its fire acceptance; the fire equipment works."
    ),
}

FEES = {"不收费": "Free of charge"}

MATERIALS = {
    "个体工商户变更登记申请书": "Application for a change of registration",
    "经营者身份证件": "Operator's identity document",
    "营业执照正、副本": "Business licence (original and duplicate)",
    "授权委托书": "Power of attorney",
    "代理人身份证件": "Agent's identity document",
    "居民身份证或户口簿": "Resident identity card or household register",
    "与被证明人关系证明": "Proof of the relationship to the person certified",
    "食品经营许可申请书": "Application for a food business licence",
    "营业执照": "Business licence",
    "申请人身份证件": "Applicant's identity document",
    "食品安全管理人员身份证件及培训考核合格证明": (
        "Food safety manager's identity document and training certificate"
    ),
    "食品安全管理制度文本": "Food safety rules",
    "经营场所平面图及设备布局、操作流程图": (
        "Floor plan of the premises, equipment layout and process chart"
    ),
    "专间、专用操作区设置说明及照片": "Description and photos of the dedicated rooms and areas",
    "网络经营网址及网店名称说明": "Website address and online shop name",
    "企业设立登记申请书": "Application for the registration of an enterprise",
    "公司章程": "Articles of association",
    "法定代表人身份证件": "Legal representative's identity document",
    "股东主体资格证明或自然人身份证件": (
        "Shareholders' proof of legal standing or personal identity documents"
    ),
    "住所使用证明": "Proof of the right to use the premises",
    "外国投资者主体资格证明（经公证认证）": (
        "Foreign investor's proof of legal standing (notarised and authenticated)"
    ),
    "发票专用章刻制申请表": "Application to engrave the invoice seal",
    "财务负责人、办税人员身份证件": "Identity documents of the financial officer and tax clerk",
    "增值税一般纳税人登记表": "VAT general taxpayer registration form",
    "单位参保登记表": "Employer's social insurance registration form",
    "单位银行开户信息": "Employer's bank account details",
    "占用挖掘城市道路申请表": "Application to occupy or dig up a city road",
    "施工图及占道范围平面图": "Construction drawings and plan of the area occupied",
    "交通疏解方案": "Traffic diversion plan",
    "绿化恢复方案及树木迁移清单": "Green space restoration plan and list of trees moved",
    "夜间施工证明或申请材料": "Night works permit or application",
    "工程建设项目审批（并联）申请表": "Application for project approval (parallel)",
    "项目备案证明或核准文件": "Project filing certificate or approval",
    "土地使用权出让合同或不动产权证书": (
        "Land use right transfer contract or real estate title certificate"
    ),
    "建设工程设计方案及总平面图": "Design scheme and site plan",
    "交通影响评价报告": "Traffic impact assessment",
    "消防设计文件": "Fire protection design documents",
    "施工图设计文件审查合格书": "Certificate of the construction drawing review",
    "施工合同及中标通知书": "Construction contract and notice of award",
    "环境影响报告书": "Environmental impact report",
    "环境影响报告表": "Environmental impact form",
    "人防工程设计文件": "Civil air defence design documents",
    "水土保持方案报告书": "Soil and water conservation plan",
    "公共场所卫生许可申请表": "Application for a public place hygiene licence",
    "场所平面图及卫生设施布局说明": "Floor plan and layout of the sanitary facilities",
    "卫生管理制度": "Hygiene rules",
    "水质检测报告": "Water quality test report",
    "危险化学品经营许可证申请书": "Application for a hazardous chemicals business licence",
    "主要负责人、安全管理人员安全资格证书": (
        "Safety qualification certificates of the principal and the safety managers"
    ),
    "安全生产规章制度和岗位操作规程目录": "List of safety rules and operating procedures",
    "事故应急救援预案": "Accident emergency rescue plan",
    "剧毒化学品治安防范措施说明": "Security measures for highly toxic chemicals",
    "公众聚集场所投入使用、营业前消防安全检查申请表": (
        "Application for the fire safety inspection before opening"
    ),
    "消防安全告知承诺书": "Written fire safety commitment",
    "场所平面布置图、场所消防设施平面图": "Floor plan and plan of the fire equipment",
    "消防安全制度、灭火和应急疏散预案": "Fire safety rules, firefighting and evacuation plan",
    "父母双方身份证件": "Both parents' identity documents",
    "结婚证": "Marriage certificate",
    "出生医学证明首次签发登记表": "Registration form of the first birth certificate",
    "新生儿出生时预防接种记录": "The newborn's vaccination record at birth",
    "户口簿": "Household register",
    "新生儿近期免冠照片": "A recent photograph of the newborn",
    "低保、特困或低收入家庭认定证明": (
        "Proof of subsistence allowance, extreme hardship or low income"
    ),
    "本人社会保障卡或银行账户": "Own social security card or bank account",
    "老年人能力评估报告": "Assessment of the older person's abilities",
}
