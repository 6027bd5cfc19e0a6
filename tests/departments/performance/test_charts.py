"""The supervision charts are pure functions of their data: test their SVG output."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from departments.performance.charts import bars as charts_bars
from departments.performance.charts import base, figures, paths
from departments.performance.serial_parallel import ItemComparison, StageLine, StepLine

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def assert_accessible(root: ET.Element, *, title: str) -> None:
    assert root.get("role") == "img"
    title_el, desc_el = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title_el.text == title
    assert desc_el.text
    assert root.get("aria-labelledby") == f"{title_el.get('id')} {desc_el.get('id')}"


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (0.4, 0.5), (7, 10), (34, 50), (80, 100), (340, 500), (967, 1000)],
)
def test_nice_ceiling(value, ceiling):
    assert base.nice_ceiling(value) == ceiling


def test_number_text():
    assert [base.number_text(v) for v in (12, Decimal("12.50"), 3.04, None)] == [
        "12",
        "12.5",
        "3",
        "—",
    ]


def test_trend_chart_has_a_line_per_series_and_says_it_in_words():
    rows = [
        {"day": datetime.date(2026, 10, 8) + datetime.timedelta(days=i), "open": o, "overdue": v}
        for i, (o, v) in enumerate([(1, 0), (2, 0), (3, 1), (3, 1), (3, 2), (2, 2), (1, 1)])
    ]
    root = parse(figures.trend_figure(rows))

    assert_accessible(root, title="每日在办与超期办件")
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 2
    assert [len(line.get("points").split()) for line in lines] == [7, 7]
    assert lines[1].get("stroke-dasharray")  # overdue is dashed, not only red
    desc = root.find(f"{SVG}desc").text
    assert "2026-10-08 至 2026-10-14" in desc
    assert "在办：期初 1件，期末 1件，最高 3件（2026-10-10）" in desc
    labels = texts(root)
    assert "10月8日" in labels and "10月14日" in labels
    assert "在办" in labels and "超过承诺办结日期" in labels  # the legend


def test_trend_chart_over_a_year_boundary_writes_full_dates():
    rows = [
        {"day": datetime.date(2026, 12, 30) + datetime.timedelta(days=i), "open": i, "overdue": 0}
        for i in range(4)
    ]
    labels = texts(parse(figures.trend_figure(rows)))
    assert "2026-12-30" in labels and "2027-01-02" in labels


def test_on_time_bars_leave_out_departments_without_decisions_and_escape_names():
    rows = [
        {"department": "区规划局", "handled": 3, "on_time_rate": Decimal("33.3")},
        {"department": "<b>环保</b>", "handled": 1, "on_time_rate": Decimal("100.0")},
        {"department": "区消防局", "handled": 0, "on_time_rate": None},
    ]
    svg = str(figures.on_time_figure(rows))
    root = parse(svg)

    assert_accessible(root, title="各部门按时率")
    assert "<b>" not in svg and "&lt;b&gt;环保&lt;/b&gt;" in svg
    bars = root.findall(f".//{SVG}rect[@class='bar']")
    assert len(bars) == 2
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] == pytest.approx(widths[1] * 0.333, rel=0.01)  # scale fixed at 100%
    assert "33.3%" in texts(root) and "100%" in texts(root)
    assert "区消防局" not in svg
    assert "区规划局：33.3%。" in root.find(f"{SVG}desc").text


def test_bar_chart_without_data_says_so():
    root = parse(
        charts_bars.bar_chart(
            groups=[charts_bars.BarGroup("某事项", (None,))],
            series=[charts_bars.Series("实际")],
            title="t",
            desc="d",
            id_prefix="x",
        )
    )
    assert "无数据" in texts(root)
    assert root.findall(f".//{SVG}rect[@class='bar']") == []


def comparison(real: bool = True) -> ItemComparison:
    def step(dept, name, days, pb, median, rb):
        return StepLine(1, "", dept, name, days, pb, median if real else None, 2, rb and real)

    first = StageLine(
        number=1,
        name="立项用地",
        promised_days=30,
        promised_serial=40,
        real_days=Decimal("5.0") if real else None,
        steps=[
            step("规划", "选址", 10, False, Decimal("5.0"), True),
            step("环保", "环评", 30, True, Decimal("3.0"), False),
        ],
    )
    second = StageLine(
        number=2,
        name="施工许可",
        promised_days=20,
        promised_serial=20,
        real_days=Decimal("8.0") if real else None,
        steps=[step("消防", "消防审查", 20, True, Decimal("8.0"), True)],
    )
    return ItemComparison(
        item_id=7,
        code="44030400-XK-0010",
        name="建设工程联合审批",
        departments=3,
        steps=3,
        promised_serial=60,
        promised_parallel=50,
        real_serial=Decimal("16.0") if real else None,
        real_parallel=Decimal("13.0") if real else None,
        real_cases=2 if real else 0,
        real_case_median=Decimal("11.5") if real else None,
        stages=[first, second],
    )


def test_item_path_draws_steps_in_series_and_stages_with_their_bottleneck():
    root = parse(paths.item_path_figure(comparison(), id_prefix="path-7"))

    assert_accessible(root, title="关键路径：建设工程联合审批")
    rows = root.findall(f".//{SVG}g[@class='path-row']")
    assert [row.get("data-label") for row in rows] == [
        "串联（承诺）",
        "并联（承诺）",
        "串联（实际中位数）",
        "并联（实际中位数）",
    ]
    segments = [row.findall(f"{SVG}rect") for row in rows]
    assert [len(s) for s in segments] == [3, 2, 3, 2]
    serial_width = sum(float(r.get("width")) for r in segments[0])
    parallel_width = sum(float(r.get("width")) for r in segments[1])
    assert parallel_width / serial_width == pytest.approx(50 / 60)
    # the parallel stages name their bottleneck: promised 环保, real 规划
    assert "第1阶段·环保" in texts(root)  # written inside the wide promised segment
    tooltips = [r.find(f"{SVG}title").text for r in segments[3]]
    assert tooltips[0].startswith("第1阶段·规划")  # too narrow to write in: the tooltip has it
    assert all("bottleneck" in r.get("class") for r in segments[1])
    assert "60个工作日" in texts(root) and "50个工作日" in texts(root)
    desc = root.find(f"{SVG}desc").text
    assert "串联办理需 60 个工作日，按阶段并联办理需 50 个工作日" in desc
    assert "第1阶段瓶颈：环保（承诺 30 天）" in desc
    assert "实际（2 件已办结）：串联 16 个工作日，并联 13 个工作日" in desc


def test_item_path_without_real_data():
    root = parse(paths.item_path_figure(comparison(real=False), id_prefix="p"))
    assert len(root.findall(f".//{SVG}g[@class='path-row']")) == 2
    assert texts(root).count("无数据") == 2
    assert "不足以计算实际用时" in root.find(f"{SVG}desc").text


def test_comparison_and_article_figures():
    root = parse(figures.comparison_figure([comparison()]))
    assert_accessible(root, title="串联与并联审批时长对比")
    bars = root.findall(f".//{SVG}rect[@class='bar']")
    assert len(bars) == 4
    assert [b.get("fill").startswith("url(#") for b in bars] == [False, False, True, True]
    article = parse(figures.article_figure(item_name="建设工程", serial=340, parallel=80))
    assert_accessible(article, title="从 967 个工作日到并联审批")
    values = [t.text for t in article.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert values == [
        "967天",
        "340天",
        "120天",
        "80天",
    ]
