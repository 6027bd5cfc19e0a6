"""`rows_insert_new`: one statement for any number of rows, existing keys skipped (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hall.common.bulk import rows_insert_new
from hall.models import Notification
from hall.outbox.queue import notification_build

pytestmark = pytest.mark.django_db


def _messages(keys):
    return [
        notification_build(
            dedupe_key=key,
            channel="sms",
            kind="received",
            subject="收件",
            body=f"办件 {key} 已收件",
        )
        for key in keys
    ]


def test_thousands_of_rows_in_one_statement_beyond_the_protocols_parameter_limit():
    # 5,000 rows of ~17 columns are ~85,000 values: more than the 65,535 parameters a
    # server-side bound statement may carry, so they must travel as one array per column
    keys = [f"bulk:{n}" for n in range(5000)]
    with CaptureQueriesContext(connection) as captured:
        inserted = rows_insert_new(_messages(keys), unique="dedupe_key")
    assert len(captured) == 1
    assert set(inserted) == set(keys)
    assert Notification.objects.filter(dedupe_key__startswith="bulk:").count() == 5000
    row = Notification.objects.get(dedupe_key="bulk:4999")
    assert row.body == "办件 bulk:4999 已收件" and row.pk == inserted["bulk:4999"]


def test_existing_keys_are_skipped_and_reported_as_not_new():
    first = _messages(["k:1", "k:2"])
    rows_insert_new(first, unique="dedupe_key")
    again = _messages(["k:2", "k:3", "k:3"])  # one old key, one new key given twice
    inserted = rows_insert_new(again, unique="dedupe_key")
    assert set(inserted) == {"k:3"}
    assert again[0].pk is None and again[1].pk == inserted["k:3"]
    assert Notification.objects.filter(dedupe_key__startswith="k:").count() == 3


def test_rows_update_writes_each_rows_own_values_in_one_statement():
    from hall.common.bulk import rows_update

    messages = _messages(["u:1", "u:2", "u:3"])
    rows_insert_new(messages, unique="dedupe_key")
    first, second, third = messages
    first.subject, first.attempts, first.sent_at = "第一", 2, None
    second.subject, second.attempts = "第二", 5
    from django.utils import timezone

    second.sent_at = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        updated = rows_update([first, second], ["subject", "attempts", "sent_at"])
    assert updated == 2 and len(captured) == 1
    rows = {row.dedupe_key: row for row in Notification.objects.filter(dedupe_key__startswith="u:")}
    assert (rows["u:1"].subject, rows["u:1"].attempts, rows["u:1"].sent_at) == ("第一", 2, None)
    assert (rows["u:2"].subject, rows["u:2"].attempts) == ("第二", 5)
    assert rows["u:2"].sent_at == second.sent_at
    assert rows["u:3"].subject == third.subject and rows["u:3"].attempts == 0  # untouched
    assert rows_update([], ["subject"]) == 0


def test_a_column_with_one_value_on_every_row_travels_as_that_value_not_an_array():
    keys = [f"same:{n}" for n in range(4)]
    with CaptureQueriesContext(connection) as captured:
        rows_insert_new(_messages(keys), unique="dedupe_key")
    (query,) = captured
    # the kind, the status and the empty fields are one value each; the keys and bodies arrays
    assert '"kind"' in query["sql"] and "unnest(" in query["sql"]
    assert query["sql"].count("[]") < 10
    stored = Notification.objects.filter(dedupe_key__startswith="same:").order_by("dedupe_key")
    assert [(n.dedupe_key, n.kind, n.status, n.body) for n in stored] == [
        (key, "received", "pending", f"办件 {key} 已收件") for key in keys
    ]


def test_rows_insert_gives_each_object_its_own_id_in_order():
    from hall.common.bulk import rows_insert

    messages = _messages([f"ins:{n}" for n in range(5)])
    messages[2].recipient_address = "13800138000"  # a sealed column: converted, not as it is
    rows_insert(messages)
    assert all(m.pk for m in messages) and len({m.pk for m in messages}) == 5
    for message in messages:
        stored = Notification.objects.get(pk=message.pk)
        assert stored.dedupe_key == message.dedupe_key
    assert Notification.objects.get(pk=messages[2].pk).recipient_address == "13800138000"
    with connection.cursor() as cursor:  # stored sealed, not in clear
        cursor.execute(
            "SELECT recipient_address FROM hall_notification WHERE id = %s", [messages[2].pk]
        )
        assert "13800138000" not in cursor.fetchone()[0]


def test_rows_that_are_all_the_same_but_for_nothing_keep_their_number():
    from hall.common.bulk import _unnest_source

    fields = [Notification._meta.get_field(name) for name in ("kind", "status", "attempts")]
    source, params = _unnest_source(fields, [["a"] * 3, ["pending"] * 3, [0] * 3])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), min(c0) FROM ({source}) s", params)
        assert cursor.fetchone() == (3, "a")


def test_arrays_go_binary_with_server_side_binding_and_as_text_without(monkeypatch):
    from hall.common import bulk

    assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True
    text = 'quotes " and \\ backslashes, {braces}, commas, NULL'
    binary = _messages(["bin:1", "bin:2"])
    binary[0].body = text
    with CaptureQueriesContext(connection) as captured:
        rows_insert_new(binary, unique="dedupe_key")
    assert bulk._array_placeholder() == "%b"
    assert Notification.objects.get(dedupe_key="bin:1").body == text
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "server_side_binding", False)
    assert bulk._array_placeholder() == "%s"  # what a client-side binding cursor can send
    messages = _messages(["txt:1", "txt:2"])
    messages[0].body = text
    rows_insert_new(messages, unique="dedupe_key")
    assert Notification.objects.get(dedupe_key="txt:1").body == text
    assert len(captured) == 1
    assert Notification.objects.filter(dedupe_key__startswith="bin:").count() == 2


def test_rows_insert_skipping_passes_over_rows_that_break_a_unique_constraint():
    from hall.common.bulk import rows_insert_skipping

    assert rows_insert_skipping(_messages(["skip:1", "skip:2"])) == 2
    with CaptureQueriesContext(connection) as captured:
        assert rows_insert_skipping(_messages(["skip:2", "skip:3"])) == 1  # skip:2 is there
    assert len(captured) == 1
    assert sorted(
        Notification.objects.filter(dedupe_key__startswith="skip:").values_list(
            "dedupe_key", flat=True
        )
    ) == ["skip:1", "skip:2", "skip:3"]
