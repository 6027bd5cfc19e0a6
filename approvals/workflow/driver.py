"""Driving viewflow human tasks from code (services, Celery), not from viewflow's views."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from viewflow.workflow import STATUS
from viewflow.workflow.lock import SelectForUpdateLock, lock_scope
from viewflow.workflow.models import Process, Task

from hall.cases.events import events_batch
from hall.common.compiled import CompiledRead

SYSTEM_USERNAME = "system"
OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED)


def system_user():
    """Owner recorded on tasks completed by the system (deemed approval). In the real app:
    created by a data migration. The deemed-approval sweep reads it once per batch and passes it
    to ``complete_human_task``."""
    user, _ = get_user_model()._default_manager.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    return user


def complete_human_task(
    task_pk: int, *, user=None, apply: Callable | None = None, system=None
) -> bool:
    """Complete a ``flow.View`` task exactly once and run the flow on from it.

    Takes the flow's process lock (what ``flow_class.lock(process_pk)`` takes, as
    ``task.activation()`` does; see `_process_locked`) and reads the task fresh under it, so it
    serialises with an officer's request, the deemed-approval sweep and the sibling tasks'
    completions of the same process.

    ``user=None`` means the system (sweep): an unclaimed task is assigned to the system
    user (``system``, or looked up when not given); a task claimed by an officer is completed
    as it is. With a user, an unclaimed
    task is claimed by that user; a task claimed by someone else is refused. Whether the
    user may act on the task at all is the calling service's check.

    ``apply(activation)`` is the caller's domain change (a service call); it runs under the
    lock, after the checks and before the flow routes on, so gateways downstream see it.
    If it returns ``False`` (a precondition re-checked under the lock no longer holds, and it
    wrote nothing) ``False`` is returned and nothing was written: the assignment is only made
    in memory until the completion. An exception propagates and the caller's transaction
    rolls back.

    Returns ``True`` if this call completed the task, ``False`` if the task was no longer
    open (done / cancelled): a no-op, safe to repeat and safe to race.

    The action's events and messages are written together when it ends (`events_batch`).
    Two statements before the caller's change (the lock, found through the task; the task with
    its process, read under it) and one UPDATE of the task: the assignment is made in memory
    and written with the completion, in the same transaction, instead of a save of its own.
    """
    # No savepoint: nothing here is rolled back to one (a veto has written nothing yet).
    with transaction.atomic(savepoint=False), _process_locked(task_pk), events_batch():
        task = _TASK_WITH_PROCESS.read(task_pk)
        activation = task.flow_task.activation_class(task)
        if task.status not in OPEN_STATUSES:
            return False
        if task.status == STATUS.ASSIGNED:
            if user is not None and task.owner_id != user.pk:
                raise PermissionDenied("task is assigned to another user")
        else:
            # what ViewActivation.assign does, without its own UPDATE
            task.owner = user if user is not None else (system or system_user())
            task.status = STATUS.ASSIGNED
        activation.start(None)  # ASSIGNED -> STARTED; 2.4 ignores the request argument
        if apply is not None and apply(activation) is False:
            return False
        activation.execute()  # STARTED -> DONE (one UPDATE), then creates and runs the next nodes
    return True


_TASK_WITH_PROCESS = CompiledRead(lambda pk: Task.objects.select_related("process").filter(pk=pk))

_LOCK_THROUGH_TASK = (
    f"SELECT t.process_id, t.flow_task FROM {Task._meta.db_table} t "
    f"JOIN {Process._meta.db_table} p ON p.id = t.process_id WHERE t.id = %s FOR UPDATE OF p"
)


@contextmanager
def _process_locked(task_pk: int) -> Iterator[None]:
    """The process row lock of the task's flow, found and taken in one statement.

    For a flow whose lock is a ``SelectForUpdateLock`` this is the lock it would take: ``SELECT
    … FOR UPDATE`` of the process row, waiting for it; here the row is reached through the task
    (``FOR UPDATE OF`` the process only), so the task's process needs no read of its own. It
    runs in viewflow's ``lock_scope``, so work deferred with ``after_lock_released`` still runs
    once the lock is given up. Any other lock goes through ``flow_class.lock``.
    """
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_THROUGH_TASK, [task_pk])
        row = cursor.fetchone()
    if row is None:
        raise Task.DoesNotExist(f"task {task_pk} does not exist")
    process_id, flow_task = row[0], Task._meta.get_field("flow_task").to_python(row[1])
    flow_class = flow_task.flow_class
    if isinstance(flow_class.lock_impl, SelectForUpdateLock):
        with lock_scope(_already_locked, flow_class, process_id):
            yield
    else:
        with flow_class.lock(process_id):
            yield


@contextmanager
def _already_locked(flow_class, process_pk) -> Iterator[None]:
    yield
