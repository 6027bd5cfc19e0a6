"""Beat tasks of the queue: appointments' no-shows and their day-before reminders."""

from __future__ import annotations

from celery import shared_task

from hall.queue import appointments


@shared_task(name="hall.tasks.sweep_appointment_no_shows")
def sweep_appointment_no_shows() -> int:
    return appointments.appointments_mark_no_shows()


@shared_task(name="hall.tasks.send_appointment_reminders")
def send_appointment_reminders() -> int:
    return appointments.appointments_remind()
