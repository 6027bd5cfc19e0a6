"""Celery tasks of the case kernel: render a notice's PDF (and seal an electronic licence's)
after its issue commits, and the sweep that renders any whose task was lost. Thin wrappers
around `hall.cases.rendering`."""

from __future__ import annotations

from celery import shared_task

from hall.cases import archiving, destruction, rendering


@shared_task(
    name="hall.tasks.render_notice",
    # enqueued from web requests: no result to store, so no result-store connection either
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def render_notice(notice_id: int) -> str:
    return rendering.notice_render(notice_id=notice_id).sha256


@shared_task(
    name="hall.tasks.render_licence",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def render_licence(licence_id: int) -> str:
    return rendering.licence_render(licence_id=licence_id).sha256


@shared_task(name="hall.tasks.sweep_notice_renders")
def sweep_notice_renders() -> int:
    """Notices and electronic licences whose render task was lost."""
    return rendering.notices_render_sweep() + rendering.licences_render_sweep()


@shared_task(name="hall.tasks.sweep_stray_renders")
def sweep_stray_renders() -> int:
    """Daily: the files renders left when they died mid-way (hall.platform.retention's table)."""
    return rendering.renders_stray_remove()


@shared_task(name="hall.tasks.sweep_archives")
def sweep_archives() -> dict:
    """Package the cases closed long enough ago, re-check packages a week old, and propose a
    destruction list of what has reached the end of its retention (hall.cases.archiving,
    hall.cases.destruction)."""
    packaged = archiving.archive_sweep()
    checked = archiving.archives_check_sweep()
    proposed = destruction.destruction_propose()
    return {
        "packaged": packaged,
        "checked": checked,
        "proposed": proposed.number if proposed is not None else None,
    }
