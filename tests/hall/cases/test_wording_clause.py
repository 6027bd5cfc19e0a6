"""Someone's words inside a notice's sentence: no doubled punctuation; the PDF's dates."""

from __future__ import annotations

import datetime
import re

import pytest

from hall.cases import wording
from hall.cases.pdf import layout


@pytest.mark.parametrize(
    ("typed", "set_in"),
    [
        ("同意。", "同意"),
        ("符合条件；", "符合条件"),
        ("  材料齐全。 ", "材料齐全"),
        ("", ""),
        ("同意", "同意"),
    ],
)
def test_a_clause_drops_the_full_stop_its_sentence_brings(typed, set_in):
    assert wording.clause(typed) == set_in


def test_the_pdf_is_dated_the_day_of_issue_not_2000():
    pdf = layout.render_licence_pdf(
        title="营业执照",
        number="X-1",
        issuer="区市场监管局",
        issued_on=datetime.date(2026, 12, 1),
        rows=[("名称", "张三")],
        verify_url="http://hall.example/licences/ABC/",
        verification_code="ABC",
        notes=[],
    )
    assert re.findall(rb"/CreationDate \(([^)]*)\)", pdf) == [b"D:20261201000000+08'00'"]
    assert b"D:2000" not in pdf
