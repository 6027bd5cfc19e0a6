"""The hall app's models, split by sub-domain (people, cases, records, outbox, queue, ratings,
appointments, accounts, agency, uploads, security, api, licences, practices, operations),
re-exported: `from hall.models import X` works."""

from hall.models.accounts import LanguagePreference, SmsCode
from hall.models.agency import AgencyRequest
from hall.models.api import (
    ApiCallRecord,
    ApiClient,
    ApiIdempotencyRecord,
    ApiUpload,
    WebhookDelivery,
    WebhookSubscription,
)
from hall.models.appointments import Appointment, AppointmentSlot
from hall.models.archives import ArchivePackage, DestructionList
from hall.models.benefits import BenefitBatch, BenefitOffer
from hall.models.cases import Case, CaseGroup, CaseMaterial, CaseQuerySet
from hall.models.licences import ElectronicLicence
from hall.models.operations import SweepHeartbeat
from hall.models.orders import KnowledgeEntry, WorkOrder, WorkOrderEvent, WorkOrderPart
from hall.models.outbox import Notification
from hall.models.people import Applicant, Clerk, RoleCapability, Window
from hall.models.practices import Commitment, CreditMark, InstantApproval
from hall.models.proxies import ProxyAuthorisation
from hall.models.queue import QueueTicket
from hall.models.ratings import RatingFollowUp, ServiceRating
from hall.models.records import CaseEvent, CorrectionItem, Counter, Notice
from hall.models.security import PersonalDataAccess, SecurityEvent, UserSession
from hall.models.uploads import UploadedMaterial

__all__ = [
    "AgencyRequest",
    "ApiCallRecord",
    "ApiClient",
    "ApiIdempotencyRecord",
    "ApiUpload",
    "Applicant",
    "Appointment",
    "AppointmentSlot",
    "ArchivePackage",
    "BenefitBatch",
    "BenefitOffer",
    "Case",
    "CaseEvent",
    "CaseGroup",
    "CaseMaterial",
    "CaseQuerySet",
    "Clerk",
    "Commitment",
    "CorrectionItem",
    "Counter",
    "CreditMark",
    "DestructionList",
    "ElectronicLicence",
    "InstantApproval",
    "KnowledgeEntry",
    "LanguagePreference",
    "Notice",
    "Notification",
    "PersonalDataAccess",
    "ProxyAuthorisation",
    "QueueTicket",
    "RatingFollowUp",
    "RoleCapability",
    "SecurityEvent",
    "ServiceRating",
    "SmsCode",
    "SweepHeartbeat",
    "UploadedMaterial",
    "UserSession",
    "WebhookDelivery",
    "WebhookSubscription",
    "Window",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkOrderPart",
]
