"""`CompiledRead`: a hot read by primary key compiled once, giving what the queryset gives."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from approvals.desk.selectors import _OWED_FIRST
from departments.models import Department
from hall.cases.locks import INTAKE_RELATED, case_locked
from hall.common.compiled import CompiledRead
from hall.models import Case
from tests.departments.builders import bare_case
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _read():
    return CompiledRead(lambda pk: Case.objects.select_related(*INTAKE_RELATED).filter(pk=pk))


def test_the_instances_are_those_of_the_queryset_related_rows_included():
    cases = [bare_case(owner=UserFactory()) for _ in range(3)]
    read = _read()
    for case in cases:
        compiled = read.read(case.pk)
        expected = Case.objects.select_related(*INTAKE_RELATED).get(pk=case.pk)
        for field in Case._meta.concrete_fields:
            assert getattr(compiled, field.attname) == getattr(expected, field.attname)
        with CaptureQueriesContext(connection) as captured:
            # the related rows came with it: no query to reach them
            assert compiled.item.name == expected.item.name
            assert compiled.applicant.id_number == expected.applicant.id_number
        assert len(captured) == 0
        assert compiled._state.db == "default" and not compiled._state.adding


def test_a_missing_row_is_does_not_exist_and_the_sql_is_compiled_once():
    case = bare_case(owner=UserFactory())
    read = _read()
    with pytest.raises(Case.DoesNotExist):
        read.read(case.pk + 10_000)
    with CaptureQueriesContext(connection) as captured:
        read.read(case.pk)
        read.read(case.pk)
    assert len(captured) == 2 and captured[0]["sql"] == captured[1]["sql"]


def test_a_query_without_the_key_among_its_parameters_runs_as_a_queryset():
    first = bare_case()
    read = CompiledRead(lambda pk: Case.objects.filter(pk=first.pk))  # ignores the key
    assert read.read(12345).pk == first.pk  # what the queryset says, not a wrong substitution


def test_the_lock_is_taken_for_the_transaction():
    case = bare_case(owner=UserFactory())
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        locked = case_locked(case.pk)
    assert locked.pk == case.pk and locked.owner_id == case.owner_id
    assert 'FOR UPDATE OF "hall_case"' in captured[-1]["sql"]


def test_a_read_with_a_date_and_annotations_compiles_and_sets_them():
    """The final decision's read: the case locked with four EXISTS annotations that depend on
    today's date; compiled with both keys, and each annotation on the instance."""
    import datetime

    from approvals.reviews.decisions import _CASE_TO_DECIDE

    case = bare_case(owner=UserFactory())
    with transaction.atomic():
        read = _CASE_TO_DECIDE.read(case.pk, datetime.date(2026, 12, 6))
    assert _CASE_TO_DECIDE.compiled()
    assert read.pk == case.pk
    assert (
        read.supplements_outstanding,
        read.supplements_late,
        read.commitment_false,
        read.licences_lapsed,
    ) == (False, False, False, False)


def test_a_query_without_its_key_is_not_compiled():
    first = bare_case()
    read = CompiledRead(lambda pk: Case.objects.filter(pk=first.pk))
    read.read(1)
    assert not read.compiled()


@pytest.mark.postgres
def test_constants_are_written_into_the_sql_and_only_the_key_is_bound():
    """constants_inline (issue 27): the status, a text with a quote and a percent sign, and a
    date go into the SQL as literals, the key stays bound, and the rows are the queryset's."""
    owner = UserFactory()
    cases = [bare_case(owner=owner, status=Case.Status.ACCEPTED) for _ in range(2)]
    bare_case(owner=owner, status=Case.Status.RECEIVED)
    odd_name = "O'Brien 100%s"

    def build(owner_id):
        return (
            Case.objects.filter(owner_id=owner_id, status=Case.Status.ACCEPTED)
            .exclude(applicant__name=odd_name)
            .exclude(intake_due_date=datetime.date(1999, 12, 31))
            .order_by("pk")
        )

    read = CompiledRead(build, constants_inline=True)
    with CaptureQueriesContext(connection) as captured:
        found = read.read_all(owner.pk)
        assert read.read_all(owner.pk + 1_000_000) == []
    assert [c.pk for c in found] == [c.pk for c in cases] == [c.pk for c in build(owner.pk)]
    sql = captured[0]["sql"]
    assert "'accepted'" in sql and "'O''Brien 100%s'" in sql and "1999-12-31" in sql
    assert str(owner.pk) in sql  # the executed statement shows the bound key in its place
    assert captured[1]["sql"].replace(str(owner.pk + 1_000_000), str(owner.pk)) == sql


@pytest.mark.postgres
def test_a_partial_index_read_gets_a_generic_plan_once_its_constants_are_in_the_text():
    """What the option is for: PostgreSQL plans the prepared statement once (a generic plan) when
    the partial index's constants are in the text; bound, it plans each run anew."""
    department = Department.objects.create(code="OW", name="区测试局")
    for _ in range(8):
        _OWED_FIRST.read_all(department.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%written_opinion_at%%' AND statement LIKE '%%''deemed''%%'"
        )
        (generic,) = cursor.fetchone()
    assert generic > 0
