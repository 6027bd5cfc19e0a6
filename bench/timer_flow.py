"""The baseline for the deemed-approval sweep: viewflow's own timer dispatcher.

Same shape as a case's department stage: a process fans out to five waiting tasks and a join
waits for all five; here each branch is a ``flow.Timer`` that viewflow's ``fire_due_timers``
completes when ``Task.scheduled`` has passed, under the same process lock as ApprovalFlow
(``SelectForUpdateLock(nowait=False)``). The fixture writes these rows directly (bench.fixture);
no process of this flow is started through ``start``.
"""

from __future__ import annotations

import datetime

from viewflow import this
from viewflow.workflow import flow, lock


class TimerBaselineFlow(flow.Flow):
    """压测基线：定时器"""

    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.StartHandle().Next(this.split)
    split = (
        flow.Split()
        .Next(this.wait_1)
        .Next(this.wait_2)
        .Next(this.wait_3)
        .Next(this.wait_4)
        .Next(this.wait_5)
    )
    wait_1 = flow.Timer(datetime.timedelta(days=10)).Next(this.join)
    wait_2 = flow.Timer(datetime.timedelta(days=10)).Next(this.join)
    wait_3 = flow.Timer(datetime.timedelta(days=10)).Next(this.join)
    wait_4 = flow.Timer(datetime.timedelta(days=10)).Next(this.join)
    wait_5 = flow.Timer(datetime.timedelta(days=10)).Next(this.join)
    join = flow.Join().Next(this.end)
    end = flow.End()
