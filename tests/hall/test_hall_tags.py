"""The template helpers of the catalogue in two languages: `localized` and `colon`."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from hall.templatetags.hall_tags import colon, localized


def test_localized_shows_the_english_field_or_the_chinese_marked():
    item = SimpleNamespace(name="户籍证明开具", name_en="Certificate of household registration")
    bare = SimpleNamespace(name="居民身份证", name_en="")
    with translation.override("zh-hans"):
        assert localized(item, "name") == "户籍证明开具"
        assert colon() == "："
    with translation.override("en"):
        assert localized(item, "name") == "Certificate of household registration"
        marked = str(localized(bare, "name"))
        assert '<span lang="zh-CN">居民身份证</span>' in marked and "(in Chinese only)" in marked
        assert str(localized(SimpleNamespace(name="<b>", name_en=""), "name")).count("&lt;b&gt;")
        assert localized(SimpleNamespace(notes=""), "notes") == ""
        assert colon() == ": "


def test_a_steps_card_always_has_words_and_its_days_left_in_both_languages():
    from approvals.clock.deadlines import Light
    from approvals.desk.selectors import Clock
    from hall.templatetags.hall_tags import step_card, step_remaining

    red, paused = Clock(Light.RED, -2, False), Clock(None, 3, True)
    with translation.override("zh-hans"):
        assert 'class="badge state-red desk-light"' in step_card(red)
        assert "■</span> 红牌超时" in step_card(red)
        assert "▲</span> 黄牌预警" in step_card(Clock(Light.YELLOW, 1, False))
        assert "●</span> 正常" in step_card(Clock(Light.GREEN, 9, False))
        assert "计时中止" in step_card(paused)
        assert step_card(Clock(None, None, False)) == ""
        assert step_remaining(red) == "已超期 2 个工作日"
        assert step_remaining(Clock(Light.GREEN, 9, False)) == "剩余 9 个工作日"
        assert step_remaining(Clock(Light.YELLOW, 0, False)) == "今日到期"
        assert step_remaining(Clock(None, None, False)) == "—"
    with translation.override("en"):
        assert "■</span> " + str(Light.RED.label) in step_card(red)
        assert step_remaining(red) == "Overdue by 2 working days"
        assert step_remaining(Clock(Light.GREEN, 1, False)) == "1 working day left"


def test_a_term_of_art_comes_with_its_plain_words_in_the_pages_language():
    from hall.templatetags.hall_tags import explain

    note = explain("容缺受理")
    assert note.startswith('<details class="term-note"><summary>什么是“容缺受理”？</summary>')
    assert "先受理" in note
    assert explain("no such term") == ""
    with translation.override("en"):
        english = explain("容缺受理")
    assert "<summary>" in english and "先受理" not in english
