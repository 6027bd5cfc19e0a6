"""`CompiledRead`: a hot read by primary key compiled once, giving what the queryset gives."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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
