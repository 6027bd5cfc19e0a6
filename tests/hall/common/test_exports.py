"""Spreadsheet cells that cannot run as formulas (CSV injection)."""

import pytest

from hall.common.exports import cell_safe


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+SUM(A1)",
        "-2",
        "@cmd",
        "\t=x",
        "\r=x",
        "＝HYPERLINK()",
        "＋1",
        "－1",
        "＠x",
        " =1",
        "\u3000＝1",
        "\n@x",
    ],
)
def test_every_formula_start_is_neutralised(text):
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["区规划局", "1-2 号楼", "张三 = 李四", "a@b.cn"])
def test_ordinary_text_is_left_as_it_is(text):
    assert cell_safe(text) == text
