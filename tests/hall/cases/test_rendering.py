"""A render that dies between writing its file and committing leaves no file behind for long:
the daily sweep removes what no notice or licence names."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from hall.cases import rendering
from hall.models import Notice
from tests.approvals.workflow_helpers import (
    accepted_case,
    department_with_staff,
    make_clerk,
    staged_item,
)


@pytest.fixture
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.pdf"))


def test_a_render_killed_after_writing_its_file_leaves_a_stray_the_sweep_removes(
    roles, private_media, monkeypatch
):
    department = department_with_staff("SC", "区市场监管局", roles)
    case = accepted_case(staged_item([[(department, 5)]]), make_clerk(roles))
    notice = Notice.objects.filter(case=case, rendered_at__isnull=True).first()
    assert notice is not None

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")  # after the file is written, before the commit

    with monkeypatch.context() as patched:
        patched.setattr(Notice, "save", killed)
        with pytest.raises(SystemExit):
            rendering.notice_render(notice_id=notice.pk)
    (stray,) = _files(private_media)
    notice.refresh_from_db()
    assert notice.rendered_at is None and not notice.pdf  # rolled back: nobody's file

    rendered = rendering.notice_render(notice_id=notice.pk)  # the retry writes its own
    assert len(_files(private_media)) == 2
    assert rendering.renders_stray_remove() == 0  # too young: could be a render in progress
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert rendering.renders_stray_remove() == 1
    assert _files(private_media) == [rendered.pdf.name]
    assert stray != rendered.pdf.name
    rendered.refresh_from_db()
    assert rendered.pdf.read()  # the notice's own file is untouched
