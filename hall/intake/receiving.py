"""Receiving an application (收件) at the window, alone or as a bundle (一件事), with its checklist
from the catalogue and the Art. 32 five-day intake deadline."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.catalogue.selectors import required_materials
from approvals.models import ServiceItem
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.licences import licences_satisfying
from hall.cases.numbering import receipt_no_next
from hall.intake.common import intake_due
from hall.models import (
    ApiClient,
    Applicant,
    Case,
    CaseGroup,
    CaseMaterial,
    ProxyAuthorisation,
    Window,
)


def case_receive(
    *,
    submission_key: uuid.UUID,
    applicant: Applicant,
    item: ServiceItem,
    answers: Mapping[str, str],
    received_by: User | None,
    channel: str,
    window: Window | None = None,
    agent: User | None = None,
    group: CaseGroup | None = None,
    filed_by_client: ApiClient | None = None,
    proxy_authorisation: ProxyAuthorisation | None = None,
) -> Case:
    """Record that the materials for one item arrived, with the item's checklist.

    The same `submission_key` (a double click, a retry) returns the case already made.
    `received_by` becomes the first-contact owner; online filings get theirs when a clerk first
    handles them.
    """
    if item.applicant_type not in (ServiceItem.ApplicantType.ANY, applicant.kind):
        raise ValidationError(
            _("“%(item)s”只受理%(type)s申请人。")
            % {"item": item.name, "type": item.get_applicant_type_display()}
        )
    try:
        # One transaction from the first read: the repeat check, the checklist and the clock are
        # read in the same snapshot the case is written in.
        with transaction.atomic():
            existing = Case.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing
            return _case_create(
                submission_key=submission_key,
                applicant=applicant,
                item=item,
                answers=answers,
                received_by=received_by,
                channel=channel,
                window=window,
                agent=agent,
                group=group,
                filed_by_client=filed_by_client,
                proxy_authorisation=proxy_authorisation,
            )
    except IntegrityError:
        # The same submission committed a moment ago in another request: return that case.
        existing = Case.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing


def _case_create(
    *,
    submission_key,
    applicant,
    item,
    answers,
    received_by,
    channel,
    window,
    agent,
    group,
    filed_by_client=None,
    proxy_authorisation=None,
) -> Case:
    requirements = required_materials(
        item=item, applicant_type=applicant.kind, answers=dict(answers)
    )
    now = timezone.now()
    today = timezone.localdate(now)
    intake_due_date, assumed_years = intake_due(received_on=today)
    case = Case(
        verification_code=f"{secrets.randbelow(10**6):06d}",
        submission_key=submission_key,
        applicant=applicant,
        item=item,
        group=group,
        channel=channel,
        filed_by_client=filed_by_client,
        proxy_authorisation=proxy_authorisation,
        answers=dict(answers),
        owner=received_by,
        window=window,
        agent=agent,
        materials_received_at=now,
        intake_due_date=intake_due_date,
        calendar_assumed_years=assumed_years,
    )
    # The gap-free day counter is taken last, just before the insert that needs it: its row
    # stays locked until this transaction commits, so nothing slow runs while it is held.
    case.receipt_no = receipt_no_next(on=today)
    case.save(force_insert=True)
    # 免证办: a licence the library holds is taken from it, not demanded again
    shared = licences_satisfying(holder=applicant, requirements=requirements, on=today)
    CaseMaterial.objects.bulk_create(
        CaseMaterial(
            case=case,
            requirement=requirement,
            name=requirement.name,
            status=CaseMaterial.Status.RECEIVED if requirement.pk in shared else "pending",
            licence=shared.get(requirement.pk),
        )
        for requirement in requirements
    )
    details = {
        "item": item.code,
        "version": item.version,
        "channel": channel,
        "window": window.number if window else None,
        "materials": len(requirements),
    }
    if shared:
        details["shared_licences"] = [licence.number for licence in shared.values()]
    event_record(
        case=case,
        action=CaseAction.RECEIVED,
        actor=received_by,
        on_behalf_of=applicant if agent else None,
        details=details,
    )
    return case


def case_group_receive(
    *,
    submission_key: uuid.UUID,
    applicant: Applicant,
    bundle,
    items: list[ServiceItem],
    answers_by_item: Mapping[int, Mapping[str, str]],
    received_by: User | None,
    channel: str,
    window: Window | None = None,
    agent: User | None = None,
    proxy_authorisation: ProxyAuthorisation | None = None,
) -> CaseGroup:
    """File a bundle (一件事) as one: a group and one case per item, all or nothing, once."""
    existing = CaseGroup.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    try:
        return _case_group_create(
            submission_key=submission_key,
            applicant=applicant,
            bundle=bundle,
            items=items,
            answers_by_item=answers_by_item,
            received_by=received_by,
            channel=channel,
            window=window,
            agent=agent,
            proxy_authorisation=proxy_authorisation,
        )
    except IntegrityError:
        existing = CaseGroup.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing


def _case_group_create(
    *,
    submission_key,
    applicant,
    bundle,
    items,
    answers_by_item,
    received_by,
    channel,
    window,
    agent,
    proxy_authorisation=None,
) -> CaseGroup:
    with transaction.atomic():
        group = CaseGroup.objects.create(
            bundle=bundle,
            applicant=applicant,
            submission_key=submission_key,
            lead_department_id=bundle.lead_department_id,
        )
        errors: dict[str, list[str]] = {}
        for item in items:
            try:
                case_receive(
                    submission_key=_item_key(submission_key, item),
                    applicant=applicant,
                    item=item,
                    answers=answers_by_item.get(item.pk, {}),
                    received_by=received_by,
                    channel=channel,
                    window=window,
                    agent=agent,
                    group=group,
                    proxy_authorisation=proxy_authorisation,
                )
            except ValidationError as error:
                # Per question (a dict), or about the item as a whole (a list: say, an item
                # that does not take this applicant type).
                if hasattr(error, "error_dict"):
                    for field, messages in error.message_dict.items():
                        errors[f"{item.pk}__{field}"] = messages
                else:
                    errors.setdefault(NON_FIELD_ERRORS, []).extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return group


def _item_key(submission_key: uuid.UUID, item: ServiceItem) -> uuid.UUID:
    return uuid.uuid5(submission_key, f"{item.code}:{item.version}")
