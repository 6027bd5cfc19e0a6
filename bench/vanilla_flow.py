"""Vanilla viewflow 2.4 on ApprovalFlow's BPMN (issue 27): the stock nodes, nothing of the hall.

The same graph as `approvals.flows.ApprovalFlow` for a one-stage item with five departments, as
stock viewflow declares it: a start; an exclusive gateway (a stage is open); a parallel split to
five department reviews (stock `flow.View` human tasks); a join; a gateway (no serial step left);
the stage decision; a gateway (no stage left); the final decision; delivery; the end. The same
process lock (`SelectForUpdateLock(nowait=False)`). Driven from code the way viewflow's own views
drive a human task in one request (bench.vanilla). No case, materials, notices, events or
messages: what the engine itself costs for our process.
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow, lock


def _never_shown(request, **kwargs):  # the bench drives the tasks from code, not from views
    raise NotImplementedError


class VanillaReviewFlow(flow.Flow):
    """压测基线：原版 viewflow 并联审批"""

    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.StartHandle().Next(this.route_stage)
    route_stage = flow.If(lambda activation: True).Then(this.split).Else(this.final_decision)
    split = (
        flow.Split()
        .Next(this.review_1)
        .Next(this.review_2)
        .Next(this.review_3)
        .Next(this.review_4)
        .Next(this.review_5)
    )
    review_1 = flow.View(_never_shown).Next(this.join)
    review_2 = flow.View(_never_shown).Next(this.join)
    review_3 = flow.View(_never_shown).Next(this.join)
    review_4 = flow.View(_never_shown).Next(this.join)
    review_5 = flow.View(_never_shown).Next(this.join)
    join = flow.Join().Next(this.after_reviews)
    after_reviews = flow.If(lambda activation: False).Then(this.split).Else(this.stage_decision)
    stage_decision = flow.View(_never_shown).Next(this.next_stage)
    next_stage = flow.If(lambda activation: False).Then(this.split).Else(this.final_decision)
    final_decision = flow.View(_never_shown).Next(this.deliver)
    deliver = flow.View(_never_shown).Next(this.end)
    end = flow.End()
