"""The admin of the approvals app: the catalogue and the calendar. Django's autodiscovery imports
this package; importing the modules registers their models."""

from approvals.admin import benefits, calendar, catalogue, orders  # noqa: F401  (registration)
