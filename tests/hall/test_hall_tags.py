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
