"""Celery tasks of the approvals app: thin wrappers over the sweeps. Beat wakes them; the
deadlines themselves live in the database (never as ETA/countdown tasks)."""

from celery import shared_task

from approvals.reviews import sweeps as review_sweeps


@shared_task(name="approvals.tasks.sweep_deemed_approvals")
def sweep_deemed_approvals() -> int:
    return review_sweeps.steps_deem_overdue_sweep()


@shared_task(name="approvals.tasks.sweep_warnings")
def sweep_warnings() -> int:
    """Yellow and red cards: the departments' steps, the licences owed after a grant, and the
    written opinions owed after a deemed approval."""
    return (
        review_sweeps.steps_warn_sweep()
        + review_sweeps.issuance_warn_sweep()
        + review_sweeps.written_opinions_remind_sweep()
    )
