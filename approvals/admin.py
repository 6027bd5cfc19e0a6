"""Admin for the catalogue. The calendar's admin lives in approvals.calendar_admin."""

from approvals import calendar_admin  # noqa: F401  (registers the calendar models)
