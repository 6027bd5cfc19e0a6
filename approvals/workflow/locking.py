"""The process lock `ApprovalFlow` takes: viewflow's `SelectForUpdateLock(nowait=False)`, without
its savepoint when the caller's transaction is already open.

viewflow's lock opens ``transaction.atomic()`` around ``SELECT … FOR UPDATE`` so that, with
``nowait=True``, a refused lock can be rolled back to the savepoint and retried. With
``nowait=False`` the statement waits for the row instead of failing, so there is nothing to roll
back to: inside the caller's transaction (every service call is one) the savepoint and its
release are two round trips for nothing. Outside one, the stock lock runs unchanged.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from viewflow.workflow.lock import SelectForUpdateLock


class ProcessRowLock(SelectForUpdateLock):
    def __init__(self):
        super().__init__(nowait=False)

    @contextmanager
    def __call__(self, flow_class, process_pk):
        if not transaction.get_connection().in_atomic_block:
            with super().__call__(flow_class, process_pk):
                yield
            return
        manager = flow_class.process_class._default_manager
        manager.filter(pk=process_pk).select_for_update(nowait=False).exists()
        yield
