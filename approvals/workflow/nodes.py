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
from viewflow.workflow import Activation, FlowRuntimeError, Node, Token
from viewflow.workflow.base import Edge
from viewflow.workflow.flow import NodeDetailMixin, views
from viewflow.workflow.nodes import mixins


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
        for item in self._items:
            yield self.flow_task._next._create(
                self,
                next(token_source),
                data=self.flow_task._item_data(item),
            )


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
