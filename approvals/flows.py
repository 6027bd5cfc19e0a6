"""The approval workflow of an accepted case (并联审批). It only routes.

Stages run in order; inside a stage every department step opens at once (serial items open one
at a time), the stage's join waits for all of them, and the stage's lead department records the
stage decision. After the last stage (or a refused one) the item's lead department decides and
the result is delivered. Which stages and departments exist is data copied from the catalogue
(approvals.models.reviews), read through approvals.reviews.selectors; every change of case data is
a call into approvals.reviews.
"""

from __future__ import annotations

from django.http import HttpResponseNotFound
from viewflow import this
from viewflow.workflow import flow

from approvals.models import ApprovalProcess
from approvals.reviews import hooks, selectors
from approvals.workflow.locking import ProcessRowLock
from approvals.workflow.nodes import DynamicSplit, PlainIf, PlainJoin


def not_mounted(request, *args, **kwargs):
    """flow.View needs a view. Ours are the officer desk's own pages, which call services, so
    viewflow's task URLs are never mounted."""
    return HttpResponseNotFound()


class ApprovalFlow(flow.Flow):
    """并联审批"""

    process_class = ApprovalProcess
    # Joins need a real lock: the default no_lock fires a join several times when branches
    # finish together. nowait=False waits for the row lock; nowait=True fails inside the
    # request's transaction. ProcessRowLock is that lock without a savepoint inside the
    # service's own transaction (approvals.workflow.locking).
    lock_impl = ProcessRowLock()

    start = flow.StartHandle(this.start_process).Next(this.route_stage)

    route_stage = PlainIf(this.has_open_stage).Then(this.open_steps).Else(this.final_decision)

    open_steps = (
        DynamicSplit(this.steps_to_open, task_data=lambda item: item)
        .Next(this.review)
        .IfNone(this.stage_decision)
    )

    review = (
        flow.View(not_mounted)
        .Annotation(title="部门审查")
        .onCreate(this.review_created)
        .Next(this.join_reviews)
    )

    join_reviews = PlainJoin().Next(this.after_reviews)

    # Serial items come back here once per step; parallel ones go straight on.
    after_reviews = (
        PlainIf(this.stage_has_steps_to_open).Then(this.open_steps).Else(this.stage_decision)
    )

    stage_decision = (
        flow.View(not_mounted)
        .Annotation(title="阶段决定")
        .onCreate(this.stage_decision_created)
        .Next(this.route_stage)
    )

    final_decision = (
        flow.View(not_mounted)
        .Annotation(title="审批决定")
        .onCreate(this.final_decision_created)
        .Next(this.deliver)
    )

    deliver = (
        flow.View(not_mounted)
        .Annotation(title="送达")
        .onCreate(this.delivery_created)
        .Next(this.end)
    )

    end = flow.End()

    def start_process(self, activation, case):
        activation.process.artifact = case

    def has_open_stage(self, activation):
        return selectors.has_open_stage(case=activation.process.case)

    def steps_to_open(self, activation):
        return selectors.steps_to_open(case=activation.process.case)

    def stage_has_steps_to_open(self, activation):
        return selectors.stage_has_steps_to_open(case=activation.process.case)

    def review_created(self, activation):
        hooks.step_open(step_id=activation.task.data["step_id"], task=activation.task)

    def stage_decision_created(self, activation):
        hooks.stage_decision_open(case=activation.process.case, task=activation.task)

    def final_decision_created(self, activation):
        hooks.final_decision_open(case=activation.process.case, task=activation.task)

    def delivery_created(self, activation):
        hooks.delivery_open(case=activation.process.case, task=activation.task)
