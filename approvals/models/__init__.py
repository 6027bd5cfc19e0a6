"""The approvals app's models, split by sub-domain (calendar, catalogue, per-case reviews) and
re-exported, so `from approvals.models import X` keeps working."""

from approvals.models.benefits import Benefit
from approvals.models.calendar import CalendarDay, CalendarRevision, CalendarYear
from approvals.models.catalogue import (
    ApprovalStep,
    Bundle,
    IntakeQuestion,
    ItemStage,
    MaterialRequirement,
    ServiceItem,
    ServiceItemQuerySet,
)
from approvals.models.orders import WorkOrderCategory, WorkOrderKind
from approvals.models.reviews import (
    ApprovalProcess,
    CaseDecision,
    CaseStage,
    CaseStep,
    StepExtension,
    StepSuspension,
)

__all__ = [
    "ApprovalProcess",
    "ApprovalStep",
    "Benefit",
    "Bundle",
    "CalendarDay",
    "CalendarRevision",
    "CalendarYear",
    "CaseDecision",
    "CaseStage",
    "CaseStep",
    "IntakeQuestion",
    "ItemStage",
    "MaterialRequirement",
    "ServiceItem",
    "ServiceItemQuerySet",
    "StepExtension",
    "StepSuspension",
    "WorkOrderCategory",
    "WorkOrderKind",
]
