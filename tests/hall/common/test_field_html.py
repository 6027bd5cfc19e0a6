"""hall.common.field_html writes what hall/includes/field.html's template wrote (issue 27): the
same label, control, required star, error and help tied with aria-describedby, escaped and
localised alike — for every kind of field the hall's forms use, unbound, bound with errors and
bound with values, and for every form of the hall that can be built without arguments."""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Engine, Template
from django.utils import translation

BEFORE = Engine(dirs=[str(Path(__file__).parent / "templates")]).get_template(
    "field_template_before_issue_27.html"
)
NOW = Template("{% load hall_tags %}{% form_field field %}")


def normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def both(field: forms.BoundField) -> tuple[str, str]:
    return (
        normalized(BEFORE.render(Context({"field": field}))),
        normalized(NOW.render(Context({"field": field}))),
    )


class EveryKind(forms.Form):
    name = forms.CharField(label="姓名 <b>", help_text="与证件一致 & 不含空格", max_length=20)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea)
    email = forms.EmailField(label="邮箱", required=False)
    count = forms.IntegerField(label="份数", min_value=1)
    on = forms.DateField(label="日期", required=False)
    agree = forms.BooleanField(label="我已阅读", help_text="必须勾选")
    optional_flag = forms.BooleanField(label="加急", required=False)
    kind = forms.ChoiceField(label="类型", choices=[("", "—"), ("a", '甲 "引号"'), ("b", "乙")])
    typed = forms.TypedChoiceField(label="数字", choices=[(1, "一"), (2, "二")], coerce=int)
    radio = forms.ChoiceField(
        label="方式", choices=[("x", "窗口"), ("y", "邮寄")], widget=forms.RadioSelect
    )
    secret = forms.CharField(label="口令", widget=forms.PasswordInput, required=False)
    hidden_id = forms.CharField(required=False, widget=forms.TextInput(attrs={"id": "own-id"}))


BOUND_VALUES = {
    "name": 'O"Brien <script>',
    "note": "第一行\n<第二行>",
    "email": "a@example.cn",
    "count": "3",
    "on": "2027-02-08",
    "agree": "on",
    "kind": "a",
    "typed": "2",
    "radio": "y",
    "secret": "x",
    "hidden_id": "v",
}


@pytest.mark.parametrize(
    "form",
    [
        EveryKind(),
        EveryKind(initial={"kind": "b", "typed": 1, "on": datetime.date(2026, 12, 28)}),
        EveryKind(data={}),  # every required field in error
        EveryKind(data={"email": "not-an-address", "count": "0", "kind": "zzz"}),
        EveryKind(data=BOUND_VALUES),
        EveryKind(auto_id=False),
    ],
    ids=["unbound", "initial", "empty", "invalid", "valid", "no-auto-id"],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_of_field_is_written_as_the_template_wrote_it(form, language):
    with translation.override(language):
        form.is_bound and form.is_valid()
        for field in form:
            before, now = both(field)
            assert now == before, field.name


def test_the_markup_ties_the_error_and_the_help_to_the_control():
    form = EveryKind(data={})
    form.is_valid()
    html = NOW.render(Context({"field": form["name"]}))
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name-error id_name-help"' in html
    assert '<div class="form-text" id="id_name-help">与证件一致 &amp; 不含空格</div>' in html
    assert "姓名 &lt;b&gt;" in html and 'class="text-danger">*</span>' in html


def _hall_forms():
    found = {}
    for package in ("hall", "approvals", "departments"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if not module.name.endswith("forms"):
                continue
            for name, value in vars(importlib.import_module(module.name)).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__ == module.name
                ):
                    found[f"{module.name}.{name}"] = value
    return found


@pytest.mark.django_db
def test_every_form_of_the_hall_is_written_as_the_template_wrote_it():
    compared = 0
    for name, form_class in sorted(_hall_forms().items()):
        for arguments in ({}, {"data": {}}):
            try:
                form = form_class(**arguments)
            except TypeError:
                continue  # it needs what its view gives it
            form.is_bound and form.is_valid()
            for field in form:
                before, now = both(field)
                assert now == before, f"{name}.{field.name}"
                compared += 1
    assert compared > 100  # the sweep reached the hall's forms, not a handful
