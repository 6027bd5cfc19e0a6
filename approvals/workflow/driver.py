"""Driving viewflow human tasks from code (services, Celery), not from viewflow's views."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

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

    Takes the flow's process lock (``task.activation()`` = ``flow_class.lock(process_pk)``
    + ``refresh_from_db``), so it serialises with an officer's request, the deemed-approval
    sweep and the sibling tasks' completions of the same process.

    ``user=None`` means the system (sweep): an unclaimed task is assigned to the system
    user (``system``, or looked up when not given); a task claimed by an officer is completed
    as it is. With a user, an unclaimed
    task is claimed by that user; a task claimed by someone else is refused. Whether the
    user may act on the task at all is the calling service's check.

    ``apply(activation)`` is the caller's domain change (a service call); it runs under the
    lock, after the checks and before the flow routes on, so gateways downstream see it.
    If it returns ``False`` (a precondition re-checked under the lock no longer holds) the
    completion is rolled back and ``False`` returned; an exception rolls back and propagates.

    Returns ``True`` if this call completed the task, ``False`` if the task was no longer
    open (done / cancelled): a no-op, safe to repeat and safe to race.
    """
    task = Task.objects.get(pk=task_pk)  # no .only(): refresh_from_db keeps fields deferred
    with task.activation() as activation:  # process lock, then a fresh task row
        if activation.task.status not in OPEN_STATUSES:
            return False
        if activation.task.status == STATUS.ASSIGNED:
            if user is not None and activation.task.owner_id != user.pk:
                raise PermissionDenied("task is assigned to another user")
        else:
            activation.assign(user if user is not None else (system or system_user()))
        activation.start(None)  # ASSIGNED -> STARTED; 2.4 ignores the request argument
        if apply is not None and apply(activation) is False:
            transaction.set_rollback(True)  # undo the assign; the lock's atomic rolls back
            return False
        activation.execute()  # STARTED -> DONE, then creates and runs the next nodes
    return True
