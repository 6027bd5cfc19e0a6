"""Each house rule against small sources of its own, then the whole house: no violation."""

from __future__ import annotations

import textwrap

import pytest

from tests.house.rules import house_violations, source_violations


def rules_broken(path: str, source: str) -> list[str]:
    return [violation.rule for violation in source_violations(path, textwrap.dedent(source))]


@pytest.mark.parametrize(
    ("path", "source", "broken"),
    [
        # numbers read with str.isdigit()
        ("hall/x.py", "if value.isdigit():\n    n = int(value)\n", ["numbers-through-int-or-none"]),
        ("hall/x.py", "ok = code.isdecimal()\n", ["numbers-through-int-or-none"]),
        ("hall/x.py", "n = int_or_none(value)\n", []),
        # another module's private name
        ("hall/x.py", "from hall.cases.events import _batch\n", ["no-private-import"]),
        ("hall/x.py", "from hall.cases.events import event_record\n", []),
        ("hall/x.py", "from django.db.models import __all__\n", []),
        ("hall/x.py", "from os.path import _joinrealpath\n", []),  # not the project's
        # form classes in view modules
        (
            "hall/lookup/views.py",
            "from django import forms\nclass F(forms.Form):\n    pass\n",
            ["forms-in-forms-modules"],
        ),
        ("hall/lookup/forms.py", "from django import forms\nclass F(forms.Form):\n    pass\n", []),
        # inline case and step locks
        (
            "hall/x.py",
            "Case.objects.select_for_update().get(pk=1)\n",
            ["locks-in-lock-modules"],
        ),
        (
            "approvals/x.py",
            "CaseStep.objects.filter(pk=1).select_for_update(of=('self',))\n",
            ["locks-in-lock-modules"],
        ),
        ("hall/cases/locks.py", "Case.objects.select_for_update().get(pk=1)\n", []),
        ("hall/x.py", "Notice.objects.select_for_update().get(pk=1)\n", []),
        # the case's status
        ("hall/x.py", "case.status = 'closed'\n", ["status-only-in-status-function"]),
        ("hall/x.py", "the_case.status = 'closed'\n", ["status-only-in-status-function"]),
        (
            "hall/x.py",
            "Case.objects.filter(pk=1).update(status='closed')\n",
            ["status-only-in-status-function"],
        ),
        ("hall/cases/status.py", "case.status = 'closed'\n", []),
        ("hall/x.py", "step.status = 'open'\nshowcase.status = 1\n", []),
        # function-local project imports
        (
            "hall/x.py",
            "def f():\n    from hall.cases import tasks\n",
            ["no-function-local-import"],
        ),
        (
            "hall/apps.py",
            "class C:\n    def ready(self):\n        from hall.platform import x\n",
            [],
        ),
        ("hall/x.py", "def f():\n    import json\n", []),
        # messages: the kind from the enum, the texts from the wording module
        (
            "hall/x.py",
            "applicant_notify(case=c, key='k', kind='accepted', subject=S, body=B)\n",
            ["message-kind-from-enum"],
        ),
        (
            "hall/x.py",
            "staff_notify(user=u, case=c, key='k', kind=MessageKind.REMINDER, "
            "subject=_('催办') % {}, body=wording.X.body)\n",
            ["texts-in-wording"],
        ),
        (
            "hall/x.py",
            "sms_queue(key='k', phone=p, kind=MessageKind.APPOINTMENT, "
            "subject=wording.X.subject, body=wording.X.body % {'code': code})\n",
            [],
        ),
    ],
)
def test_each_rule(path, source, broken):
    assert rules_broken(path, source) == broken


def test_the_house_keeps_every_rule():
    violations = house_violations()
    assert violations == [], "\n".join(str(violation) for violation in violations)
