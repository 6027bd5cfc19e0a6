"""The event log's actions are typed: every call names a CaseAction, every action has a label."""

import pathlib
import re

import pytest

from hall.cases.actions import EVENT_LABELS, CaseAction, action_label
from hall.cases.events import event_record

ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_every_event_record_call_names_a_case_action():
    calls = 0
    for app in ("hall", "approvals", "departments"):
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for call in re.finditer(r"(?<!def )\bevent_record\((.*?)\)\n", text, flags=re.S):
                calls += 1
                assert re.search(r"action=CaseAction\.[A-Z_]+", call.group(1)), (
                    f"{path}: {call.group(1)[:80]}"
                )
                for name in re.findall(r"CaseAction\.([A-Z_]+)", call.group(1)):
                    assert hasattr(CaseAction, name), f"{path}: CaseAction.{name}"
    assert calls > 30


def test_every_action_has_one_meaning_and_a_label():
    values = [action.value for action in CaseAction]
    labels = [str(action.label) for action in CaseAction]
    assert len(set(values)) == len(values)
    assert len(set(labels)) == len(labels), "two actions share a label"
    assert all(label for label in labels)
    # a value that named two events before the actions were typed still reads for old rows
    assert action_label("special_procedure") == "特别程序"
    assert action_label("no_such_action") == "no_such_action"
    assert set(values) <= set(EVENT_LABELS)


def test_state_changes_tell_the_owner_and_notes_do_not():
    assert CaseAction.ACCEPTED.tells_owner
    assert CaseAction.DEPARTMENT_CORRECTION_SUPPLIED.tells_owner
    assert not CaseAction.AGENT_NOTE.tells_owner
    assert not CaseAction.REMINDER.tells_owner
    assert not CaseAction.RATED.tells_owner


def test_a_free_string_is_refused(db):
    with pytest.raises(TypeError):
        event_record(case=None, action="accepted")
