"""Dynamic fan-out gateway for viewflow 2.4 (open-source edition).

Open-source ``flow.Split`` has fixed branches: its docstring advertises
``Next(node, data_source=...)`` but 2.4.0's ``Split.Next(node, case=None)`` takes no
``data_source`` and ``SplitActivation`` ignores it. ``DynamicSplit`` creates one
instance of a single next node per item returned by a callable, each with its own
split token, so a plain ``flow.Join`` downstream waits for exactly those instances.

How the Join counts (viewflow/workflow/nodes/join.py, token.py): every task created
here gets token ``<split token>/<split task pk>_<n>``. The join task takes the base
token, and ``JoinActivation.is_done`` looks at the common prefix
``<split token>/<split task pk>_`` and waits until no task of the process with that
prefix is still active. Whether the N tokens come from N branches or N instances of
one node makes no difference to it. All N tasks are created in the split's
transaction, before any of them can complete, so the join cannot fire early.
"""

from viewflow import this
from viewflow.workflow import STATUS, Activation, FlowRuntimeError, Node, Token
from viewflow.workflow.base import Edge
from viewflow.workflow.flow import NodeDetailMixin, views
from viewflow.workflow.nodes import If, Join, View, mixins
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.nodes.join import JoinActivation

from hall.common.compiled import CompiledRead


class DynamicSplitActivation(Activation):
    """Computes the items on activation, creates one next task per item."""

    def __init__(self, *args, **kwargs):
        self._items = []
        super().__init__(*args, **kwargs)

    @Activation.status.super()
    def activate(self):
        self._items = list(self.flow_task._items_source(self))
        if not self._items and self.flow_task._if_none is None:
            raise FlowRuntimeError(
                f"{self.flow_task.name} produced no items and has no IfNone() route"
            )

    @Activation.status.super()
    def create_next(self):
        if not self._items:
            # Nothing to fan out: continue on the split's own token (no join expected).
            yield self.flow_task._if_none._create(self, self.task.token)
            return

        token_source = Token.split_token_source(self.task.token, self.task.pk)
        next_node = self.flow_task._next
        if isinstance(next_node, View) and not _assigns_owner(next_node):
            yield from _views_create(self, next_node, token_source)
            return
        for item in self._items:
            yield next_node._create(
                self,
                next(token_source),
                data=self.flow_task._item_data(item),
            )


def _assigns_owner(node: View) -> bool:
    return node._owner is not None or node._owner_permission is not None


def _views_create(split: DynamicSplitActivation, node: View, token_source):
    """What ``ViewActivation.create`` does for each item, for all items at once: the tasks in
    one INSERT and their ``previous`` links in another, then each task's onCreate hook. Only for
    View nodes without Assign()/Permission() (no owner to compute per task)."""
    task_class = node.flow_class.task_class
    tasks = [
        task_class(
            process=split.process,
            flow_task=node,
            token=next(token_source),
            data=split.flow_task._item_data(item),
        )
        for item in split._items
    ]
    task_class._default_manager.bulk_create(tasks)
    links = task_class.previous.through
    links._default_manager.bulk_create(
        [links(from_task_id=task.pk, to_task_id=split.task.pk) for task in tasks]
    )
    for task in tasks:
        activation = node.activation_class(task)
        if node._on_create is not None:
            node._on_create(activation)
        yield activation


class DynamicSplit(NodeDetailMixin, mixins.NextNodeMixin, Node):
    """Parallel gateway creating one instance of the next node per item.

    Example::

        open_steps = (
            DynamicSplit(this.steps_to_open, task_data=lambda row: {"step_id": row["id"]})
            .Next(this.review)
            .IfNone(this.stage_decision)
        )
        review = flow.View(...).Next(this.join_reviews)
        join_reviews = flow.Join().Next(...)

    ``items`` is ``Callable[[Activation], Iterable]``; ``task_data`` maps one item to the
    created task's ``task.data`` (must be JSON-serialisable; default ``{"item": item}``).
    """

    activation_class = DynamicSplitActivation
    task_type = "PARALLEL_GATEWAY"
    bpmn_element = "parallelGateway"
    shape = {
        "width": 50,
        "height": 50,
        "svg": """
            <path class="gateway" d="M25,0L50,25L25,50L0,25L25,0"/>
            <text class="gateway-marker" font-size="32px" x="25" y="35">+</text>
        """,
    }

    index_view_class = views.IndexTaskView
    detail_view_class = views.DetailTaskView

    def __init__(self, items, task_data=None, **kwargs):
        super().__init__(**kwargs)
        self._items_source = items
        # not ``_task_data``: NextNodeMixin.Next() owns that attribute
        self._item_data = task_data or (lambda item: {"item": item})
        self._if_none = None

    def IfNone(self, node):
        """Node to continue with (on the split's own token) when there are no items."""
        self._if_none = node
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._items_source = this.resolve(instance, self._items_source)
        self._item_data = this.resolve(instance, self._item_data)
        self._if_none = this.resolve(instance, self._if_none)

    def _outgoing(self):
        yield from super()._outgoing()
        if self._if_none is not None:
            yield Edge(src=self, dst=self._if_none, edge_class="default")


class PlainIfActivation(IfActivation):
    """viewflow's If evaluates its condition inside an exception guard and a savepoint, so that a
    background trigger can record a failing condition as the task's ERROR. Every trigger of
    ApprovalFlow is synchronous (a service call whose exception rolls the whole action back),
    so the savepoint is never rolled back to: here the condition just runs."""

    @Activation.status.super()
    def activate(self):
        self._condition_result = self.flow_task._condition(self)


class PlainIf(If):
    """``flow.If`` without the savepoint around its condition (see PlainIfActivation)."""

    activation_class = PlainIfActivation


class PlainJoinActivation(JoinActivation):
    """viewflow's join with fewer round trips and no savepoint, the same decisions.

    - ``create`` finds the open join with one query (viewflow's runs the same query twice) and
      gives it the process row the caller holds locked, instead of reading it again;
    - ``is_done`` is computed once per activation (viewflow's transition checks the condition
      twice, each time with two queries), and the token prefix from the arriving task;
    - ``complete`` runs without the savepoint viewflow puts around it for background
      triggers: ApprovalFlow's triggers are synchronous service calls, an exception rolls the
      whole action back, and the flow has no ``continue_on_condition`` to cancel branches.
    """

    def __init__(self, *args, **kwargs):
        self._prefixes = None
        self._done = None
        self._incoming = None
        super().__init__(*args, **kwargs)

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task_class = flow_task.flow_class.task_class
        tasks = _open_joins(task_class, flow_task).read_all(prev_activation.process.pk)
        if len(tasks) > 1:
            raise FlowRuntimeError("More than one join instance for process found")
        if tasks:
            task = tasks[0]
            task.process = prev_activation.process  # the same row, locked by this action
        else:
            if token.is_split_token():
                token = token.get_base_split_token()
            task = task_class(process=prev_activation.process, flow_task=flow_task, token=token)
            task.data = data if data is not None else {}
            task.seed = seed
            task.save()
        # what previous.add() writes, in one INSERT (it reads the existing links first)
        links = task_class.previous.through
        links._default_manager.bulk_create(
            [links(from_task_id=task.pk, to_task_id=prev_activation.task.pk)],
            ignore_conflicts=True,
        )
        activation = cls(task)
        activation._incoming = prev_activation.task
        return activation

    def _join_token_prefixes(self):
        # viewflow reads every task linked to the join to collect their split prefixes. Each
        # ApprovalFlow join waits for the tasks of one DynamicSplit, which share one prefix, so
        # the task arriving now tells it (no read); the active-task check still reads them all.
        if self._prefixes is None:
            if self._incoming is not None:
                incoming = self._incoming
                self._prefixes = {
                    incoming.token.get_common_split_prefix(self.task.token, incoming.pk)
                }
            else:
                self._prefixes = super()._join_token_prefixes()
        return self._prefixes

    def is_done(self):
        if self._done is None:
            self._done = super().is_done()
        return self._done

    @Activation.status.super()
    def complete(self):
        if len(self._join_token_prefixes()) > 1:
            raise FlowRuntimeError(
                f"Multiple tokens {self._join_token_prefixes()} came to join {self.flow_task.name}"
            )
        super(JoinActivation, self).complete.original()


_OPEN_JOINS: dict[tuple, CompiledRead] = {}


def _open_joins(task_class, flow_task) -> CompiledRead:
    """The open instances (at most two: one is expected) of a join in a process, the query
    compiled once per join node (`hall.common.compiled`)."""
    key = (task_class, flow_task)
    if key not in _OPEN_JOINS:
        _OPEN_JOINS[key] = CompiledRead(
            lambda process_id: task_class._default_manager.filter(
                flow_task=flow_task,
                process_id=process_id,
                status__in=[STATUS.NEW, STATUS.STARTED],
            )[:2]
        )
    return _OPEN_JOINS[key]


class PlainJoin(Join):
    """``flow.Join`` with PlainJoinActivation; refuses ``continue_on_condition``, which the plain
    activation does not run."""

    activation_class = PlainJoinActivation

    def _resolve(self, instance):
        super()._resolve(instance)
        if self._continue_on_condition is not None:
            raise FlowRuntimeError("PlainJoin does not support continue_on_condition")
