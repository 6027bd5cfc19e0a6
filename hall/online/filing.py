"""Online filing (网上申报) and the uploaded materials that come with it.

An online applicant files an item (or a bundle, 一件事) with scans of the checklist's materials.
The case is received with channel "online" and no owner; the first clerk who handles it at the
online-intake desk becomes its first-contact owner (首问负责) and decides under the same Art. 32
rules as a window. Later the applicant may answer a correction notice by uploading what it
listed, and only that.

Uploads are checked by their content (PDF, PNG, JPEG; `hall.validators.validate_upload`), capped
at `HALL_UPLOAD_MAX_BYTES`, stored under a random name in the private media root (outside the
web root), and served only to the people `upload_for_user` allows. Every file is checked before
anything is written, so a refused file leaves nothing behind.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.catalogue.selectors import (
    bundle_current_items,
    items_current,
    required_materials,
)
from approvals.models import Bundle, MaterialRequirement, ServiceItem
from approvals.reviews.instant import instant_check, instant_decline_record
from hall.accounts.sms_codes import sms_code_verify
from hall.cases import applicants, wording
from hall.cases.actions import CaseAction
from hall.cases.events import event_record
from hall.cases.licences import licences_satisfying
from hall.cases.locks import case_locked, cases_locked
from hall.cases.proxies import proxy_act_record, proxy_authorisation_checked
from hall.cases.uploads import (
    MAX_FILES_PER_MATERIAL,
    CheckedUpload,
    UploadWriter,
    upload_display_name,
    uploads_check,
)
from hall.cases.wording import MessageKind, ProxyAct
from hall.common import validators
from hall.intake import decisions as intake_decisions
from hall.intake import receiving, tolerance
from hall.intake.commitments import commitment_possible
from hall.models import (
    ApiClient,
    ApiUpload,
    Applicant,
    Case,
    CaseEvent,
    CaseGroup,
    CaseMaterial,
    ProxyAuthorisation,
    SmsCode,
    UploadedMaterial,
)
from hall.online.selectors import (
    applicant_for,
    online_items_for,
    open_correction_materials,
)
from hall.outbox.queue import staff_notify


class NotAnApplicant(ValidationError):
    """The account has no applicant identity bound yet."""


def _applicant_required(user: User) -> Applicant:
    applicant = applicant_for(user=user)
    if applicant is None:
        raise NotAnApplicant(_("请先完善身份信息（实名绑定）后再在线申报。"))
    return applicant


def _filer(
    user: User, proxy_code: str, *, item_codes: Sequence[str]
) -> tuple[Applicant, ProxyAuthorisation | None]:
    """Who a filing is for: the signed-in applicant, or (亲友代办) the principal of the
    authorisation `proxy_code`, which must cover every item."""
    if not proxy_code:
        return _applicant_required(user), None
    _applicant_required(user)  # a proxy is a real-name applicant too
    authorisation = None
    for code in item_codes:
        authorisation = proxy_authorisation_checked(user=user, code=proxy_code, item_code=code)
    if authorisation is None:
        authorisation = proxy_authorisation_checked(user=user, code=proxy_code)
    return authorisation.principal, authorisation


def _case_actor(user: User, case: Case, proxy_code: str) -> ProxyAuthorisation | None:
    """The applicant acting on their own case (None), or the proxy's authorisation for it; any
    other case reads as missing."""
    if proxy_code:
        _applicant_required(user)
        try:
            return proxy_authorisation_checked(user=user, code=proxy_code, case=case)
        except ValidationError as error:
            if error.code == "proxy_scope":
                raise ValidationError(_("没有这个办件。")) from error
            raise
    if case.applicant_id != _applicant_required(user).pk:
        raise ValidationError(_("没有这个办件。"))
    return None


def _proxy_relocked(user: User, authorisation: ProxyAuthorisation | None, **scope):
    """Inside the act's transaction: the authorisation again under its row lock, so that a
    revocation committed a moment ago stops this act."""
    if authorisation is None:
        return None
    return proxy_authorisation_checked(user=user, code=authorisation.code, lock=True, **scope)


def _filing_rate_checked(applicant: Applicant, *, cases: int = 1) -> None:
    """At most `HALL_ONLINE_FILINGS_PER_HOUR` online filings per applicant in a clock hour (a
    bundle counts each of its cases): a stolen or scripted account cannot flood the online desk
    or the servers. Every attempt counts, refused ones too (checking a filing's scans is the
    costly part), and the count is one atomic increment in the shared cache, so parallel
    filings cannot slip past it."""
    hour = int(timezone.now().timestamp() // 3600)
    key = f"hall.filing.rate:{applicant.pk}:{hour}"
    cache.add(key, 0, timeout=3600 + 60)
    try:
        filed = cache.incr(key, cases)
    except ValueError:  # expired between add and incr
        cache.add(key, cases, timeout=3600 + 60)
        filed = cases
    if filed > settings.HALL_ONLINE_FILINGS_PER_HOUR:
        raise ValidationError(
            _(
                "您在一小时内已网上申报 %(n)s 件，达到上限。请稍后再申报；"
                "如确有大量事项需要办理，请到大厅窗口或联系代办员。"
            )
            % {"n": settings.HALL_ONLINE_FILINGS_PER_HOUR},
            code="filing_rate",
        )


def _same_applicant(existing_applicant_id: int, applicant: Applicant) -> None:
    if existing_applicant_id != applicant.pk:
        raise ValidationError(_("提交标识无效，请刷新页面后重试。"))


def material_field(item: ServiceItem, requirement: MaterialRequirement) -> str:
    """The form field name of one material's files."""
    return f"file-{item.pk}-{requirement.pk}"


def shared_material_field(code: str) -> str:
    """一套材料: the one field of a material several items of a bundle require."""
    return f"file-shared-{code}"


def bundle_shared_materials(
    needed: Mapping[ServiceItem, Sequence[MaterialRequirement]],
) -> dict[str, list[tuple[ServiceItem, MaterialRequirement]]]:
    """一套材料: the materials (by the catalogue's material code) that two or more items of a
    bundle require from the applicant, each to be uploaded and checked once for all of them."""
    by_code: dict[str, list[tuple[ServiceItem, MaterialRequirement]]] = defaultdict(list)
    for item, requirements in needed.items():
        for requirement in requirements:
            if requirement.material_code:
                by_code[requirement.material_code].append((item, requirement))
    return {code: pairs for code, pairs in by_code.items() if len({i.pk for i, _r in pairs}) > 1}


def online_case_file(
    *,
    user: User,
    submission_key: uuid.UUID,
    item: ServiceItem,
    answers: Mapping[str, str],
    files: Mapping[str, Sequence[File]],
    committed: Sequence[int] = (),
    commitment_code: str = "",
    commitment_requester: str = "",
    proxy_code: str = "",
) -> Case:
    """File one item online with a scan of every material on its checklist.

    `committed` names the requirements the applicant replaces by a written commitment
    (告知承诺制), confirmed with the SMS code sent for it (`commitment_code`).

    `files` maps `material_field(item, requirement)` to that material's files. The case is
    received without an owner (the first clerk to handle it becomes the owner). The same
    `submission_key` again (a double click, a retry) returns the case already filed and stores
    nothing more.

    With `proxy_code` a relative or friend files for the authorisation's principal (亲友代办):
    the case is the principal's, logged as done by the proxy for them, and the principal told.
    """
    applicant, authorisation = _filer(user, proxy_code, item_codes=[item.code])
    existing = Case.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        _same_applicant(existing.applicant_id, applicant)
        return existing
    if not item.online_filing or item not in online_items_for(applicant=applicant):
        raise ValidationError(_("该事项暂不支持网上申报，请到大厅窗口办理。"))
    _filing_rate_checked(applicant)
    requirements = required_materials(
        item=item, applicant_type=applicant.kind, answers=dict(answers)
    )
    labels = {material_field(item, r): r.name for r in requirements}
    shared = licences_satisfying(
        holder=applicant, requirements=requirements, on=timezone.localdate()
    )
    committed = _commitments_checked(
        applicant=applicant, item=item, requirements=requirements, committed=committed,
        code=commitment_code, requester=commitment_requester,
    )  # fmt: skip
    required = [
        material_field(item, r)
        for r in requirements
        if r.pk not in shared and r.pk not in committed
    ]
    checked = uploads_check(files=files, labels=labels, required=required)
    writer = UploadWriter()
    try:
        with transaction.atomic():
            authorisation = _proxy_relocked(user, authorisation, item_code=item.code)
            case = receiving.case_receive(
                submission_key=submission_key,
                applicant=applicant,
                item=item,
                answers=answers,
                received_by=None,
                channel=Case.Channel.ONLINE,
                proxy_authorisation=authorisation,
            )
            _same_applicant(case.applicant_id, applicant)
            stored = _store_for_case(
                case=case, item=item, checked=checked, user=user, writer=writer
            )
            if stored and authorisation is not None:
                proxy_act_record(
                    authorisation=authorisation, case=case, act=ProxyAct.FILED, user=user
                )
            if committed:
                case.materials.filter(requirement_id__in=committed).update(
                    status=CaseMaterial.Status.COMMITTED, updated_at=timezone.now()
                )
            if item.instant_approval and case.status == Case.Status.RECEIVED:
                _instant_try(case)
            return case
    except BaseException:
        writer.discard()
        raise


def _store_for_case(
    *,
    case: Case,
    item: ServiceItem,
    checked: Mapping[str, list[CheckedUpload]],
    user: User,
    writer: UploadWriter,
) -> bool:
    """Store the filing's files with the case; False when a concurrent retry with the same
    key got there first (the filing is done, nothing more happens)."""
    case = case_locked(case, related=())
    if (
        UploadedMaterial.objects.filter(material__case=case).exists()
        or CaseEvent.objects.filter(case=case, action=CaseAction.PROXY_ACTED).exists()
    ):
        return False
    for material in case.materials.select_related("requirement"):
        requirement = material.requirement
        uploads = checked.get(material_field(item, requirement)) or (
            # 一套材料: the bundle's one upload of a material its items share
            checked.get(shared_material_field(requirement.material_code), [])
            if requirement.material_code
            else []
        )
        for upload in uploads:
            writer.store(material=material, upload=upload, user=user)
    return True


def _commitments_checked(*, applicant, item, requirements, committed, code, requester) -> set[int]:
    """The requirement ids replaced by a commitment, once each is allowed and the code holds."""
    committed = {int(pk) for pk in committed}
    if not committed:
        return set()
    by_pk = {r.pk: r for r in requirements}
    refused = [
        by_pk[pk].name if pk in by_pk else str(pk)
        for pk in committed
        if pk not in by_pk or not commitment_possible(item, by_pk[pk])
    ]
    if refused:
        raise ValidationError(_("“%(names)s”不能以告知承诺替代。") % {"names": "、".join(refused)})
    _commitment_code_checked(applicant=applicant, code=code, requester=requester)
    return committed


def _bundle_commitments_checked(
    *, applicant, needed, common, committed, code, requester
) -> set[int]:
    """The requirement ids of a bundle replaced by commitment: each allowed by its own item, a
    shared material's ticked once for every item it serves (all must allow it), and one SMS
    code for the lot."""
    committed = {int(pk) for pk in committed}
    if not committed:
        return set()
    items = {r.pk: (item, r) for item, requirements in needed.items() for r in requirements}
    for pairs in common.values():
        if any(r.pk in committed for _item, r in pairs):
            committed |= {r.pk for _item, r in pairs}
    refused = sorted(
        {
            items[pk][1].name if pk in items else str(pk)
            for pk in committed
            if pk not in items or not commitment_possible(*items[pk])
        }
    )
    if refused:
        raise ValidationError(_("“%(names)s”不能以告知承诺替代。") % {"names": "、".join(refused)})
    _commitment_code_checked(applicant=applicant, code=code, requester=requester)
    return committed


def _commitment_code_checked(*, applicant, code: str, requester: str) -> None:
    """The SMS code that signs the applicant's written commitments (one for a filing)."""
    if not sms_code_verify(
        phone=applicant.phone,
        purpose=SmsCode.Purpose.COMMITMENT,
        code=code.strip(),
        requester=requester,
    ):
        raise ValidationError({"commitment_code": [_("请输入发送到您手机的告知承诺确认验证码。")]})


def _instant_try(case: Case) -> None:
    """秒批 online: when every rule holds for the filing as uploaded, the system takes the
    uploads as received, accepts and decides in this request; otherwise the case waits for the
    online desk as any filing does, with the failed condition on its log."""
    _conditions, failed = instant_check(case, materials_complete=True)  # every upload checked
    if failed is not None:
        instant_decline_record(case=case, failed=failed)
        return
    waiting = case.materials.exclude(
        status__in=[CaseMaterial.Status.RECEIVED, CaseMaterial.Status.COMMITTED]
    )
    waiting.update(status=CaseMaterial.Status.RECEIVED, updated_at=timezone.now())
    event_record(
        case=case,
        action=CaseAction.CHECKED,
        details={"by": "秒批规则", "marks": "全部材料已上传或共享获取"},
    )
    intake_decisions.case_accept(case=case, clerk=None)


def online_group_file(
    *,
    user: User,
    submission_key: uuid.UUID,
    bundle: Bundle,
    answers_by_item: Mapping[int, Mapping[str, str]],
    files: Mapping[str, Sequence[File]],
    committed: Sequence[int] = (),
    commitment_code: str = "",
    commitment_requester: str = "",
    proxy_code: str = "",
) -> CaseGroup:
    """File a bundle (一件事) online as one: every item's case, all or nothing, once (with
    `proxy_code`, for the principal of an authorisation that covers every item).

    `committed` names requirements the applicant replaces by a written commitment (告知承诺制),
    each by its own item's rule, all confirmed by one SMS code; a material several items share
    is committed for all of them or not at all."""
    items = bundle_current_items(bundle=bundle)
    applicant, authorisation = _filer(user, proxy_code, item_codes=[item.code for item in items])
    existing = CaseGroup.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        _same_applicant(existing.applicant_id, applicant)
        return existing
    _filing_rate_checked(applicant, cases=max(len(items), 1))
    allowed = set(online_items_for(applicant=applicant).values_list("pk", flat=True))
    offline = [item.name for item in items if item.pk not in allowed]
    if not items or offline:
        raise ValidationError(
            _("该一件事中的“%(names)s”暂不支持网上申报，请到大厅窗口办理。")
            % {"names": "、".join(offline) or bundle.name}
        )
    labels: dict[str, str] = {}
    required: list[str] = []
    today = timezone.localdate()
    needed: dict[ServiceItem, list[MaterialRequirement]] = {}
    for item in items:
        requirements = required_materials(
            item=item, applicant_type=applicant.kind, answers=dict(answers_by_item.get(item.pk, {}))
        )
        shared = licences_satisfying(holder=applicant, requirements=requirements, on=today)
        needed[item] = [r for r in requirements if r.pk not in shared]
        for requirement in requirements:
            labels[material_field(item, requirement)] = f"{item.name}：{requirement.name}"
    common = bundle_shared_materials(needed)
    committed_ids = _bundle_commitments_checked(
        applicant=applicant,
        needed=needed,
        common=common,
        committed=committed,
        code=commitment_code,
        requester=commitment_requester,
    )
    for code, pairs in common.items():
        labels[shared_material_field(code)] = pairs[0][1].name
        if pairs[0][1].pk not in committed_ids:
            required.append(shared_material_field(code))
    for item, requirements in needed.items():
        required.extend(
            material_field(item, r)
            for r in requirements
            if r.material_code not in common and r.pk not in committed_ids
        )
    checked = uploads_check(files=files, labels=labels, required=required)
    writer = UploadWriter()
    try:
        with transaction.atomic():
            if authorisation is not None:
                authorisation = _proxy_relocked(user, authorisation)
                for item in items:
                    authorisation = _proxy_relocked(user, authorisation, item_code=item.code)
            group = receiving.case_group_receive(
                submission_key=submission_key,
                applicant=applicant,
                bundle=bundle,
                items=items,
                answers_by_item=answers_by_item,
                received_by=None,
                channel=Case.Channel.ONLINE,
                proxy_authorisation=authorisation,
            )
            _same_applicant(group.applicant_id, applicant)
            for case in group.cases.select_related("item", "applicant").order_by("pk"):
                stored = _store_for_case(
                    case=case, item=case.item, checked=checked, user=user, writer=writer
                )
                if stored and authorisation is not None:
                    proxy_act_record(
                        authorisation=authorisation, case=case, act=ProxyAct.FILED, user=user
                    )
            if committed_ids:
                CaseMaterial.objects.filter(
                    case__group=group, requirement_id__in=committed_ids
                ).update(status=CaseMaterial.Status.COMMITTED, updated_at=timezone.now())
            return group
    except BaseException:
        writer.discard()
        raise


def correction_field(material: CaseMaterial) -> str:
    return f"correction-{material.pk}"


def case_correction_upload(
    *,
    user: User,
    case: Case,
    submission_key: uuid.UUID,
    files: Mapping[str, Sequence[File]],
    proxy_code: str = "",
) -> Case:
    """The applicant (or their proxy, `proxy_code`) uploads what an open correction notice
    listed, and nothing else.

    The case stays awaiting correction: the clerk still checks the files (at the window or the
    online desk), and that check is what marks the correction supplied and restarts the intake
    clock. The upload is logged as ``correction_uploaded`` and the case's first-contact owner is
    told. The same `submission_key` again stores nothing more.
    """
    authorisation = _case_actor(user, case, proxy_code)
    writer = UploadWriter()
    try:
        with transaction.atomic():
            authorisation = _proxy_relocked(user, authorisation, case=case)
            if case.group_id is not None:
                # 一套材料: a shared material's correction reaches the application's other
                # items too; their rows are locked first, in primary-key order
                list(cases_locked(Case.objects.filter(group_id=case.group_id)).values("pk"))
            case = case_locked(case, related=("item", "owner", "applicant"))
            if CaseEvent.objects.filter(
                case=case,
                action=CaseAction.CORRECTION_UPLOADED,
                details__submission_key=str(submission_key),
            ).exists():
                return case
            listed = open_correction_materials(case=case)
            if not listed:
                raise ValidationError(_("该办件目前没有需要补正的材料。"))
            labels = {correction_field(m): m.name for m in listed}
            given = {key: value for key, value in files.items() if value}
            if not given:
                raise ValidationError(_("请选择要上传的补正材料。"))
            checked = uploads_check(files=given, labels=labels)
            by_field = {correction_field(m): m for m in listed}
            shared = _shared_corrections(case, listed)
            names = []
            count = 0
            for key, uploads in checked.items():
                material = by_field[key]
                code = material.requirement.material_code if material.requirement_id else ""
                for upload in uploads:
                    writer.store(material=material, upload=upload, user=user)
                    for other in shared.get(code, ()) if code else ():
                        writer.store(material=other, upload=upload, user=user)
                    count += 1
                names.append(material.name)
            _correction_uploaded_record(
                case=case, names=names, files=count, submission_key=submission_key, actor=user
            )
            if authorisation is not None:
                proxy_act_record(
                    authorisation=authorisation, case=case, act=ProxyAct.CORRECTION, user=user
                )
            return case
    except BaseException:
        writer.discard()
        raise


def _shared_corrections(case: Case, listed: list[CaseMaterial]) -> dict[str, list[CaseMaterial]]:
    """The open correction rows of the application's other items that are the same materials
    (by material code) as this case's listed ones: one upload serves them all."""
    codes = {m.requirement.material_code for m in listed if m.requirement.material_code}
    if case.group_id is None or not codes:
        return {}
    found: dict[str, list[CaseMaterial]] = {}
    for other in (
        CaseMaterial.objects.filter(
            case__group_id=case.group_id,
            case__status=Case.Status.AWAITING_CORRECTION,
            requirement__material_code__in=codes,
            corrections__isnull=False,
            corrections__supplied_at__isnull=True,
        )
        .exclude(case_id=case.pk)
        .select_related("requirement")
        .distinct()
    ):
        found.setdefault(other.requirement.material_code, []).append(other)
    return found


def _correction_uploaded_record(
    *,
    case: Case,
    names: list[str],
    files: int,
    submission_key: uuid.UUID,
    actor: User | None = None,
    client_name: str = "",
) -> None:
    """Log a correction's uploads on the case (keyed by the submission, so a repeat is seen)
    and tell the first-contact owner: the portal's and the API's one record."""
    details = {"materials": names, "files": files, "submission_key": str(submission_key)}
    if client_name:
        details["client"] = client_name
    event = event_record(
        case=case, action=CaseAction.CORRECTION_UPLOADED, actor=actor, details=details
    )
    if case.owner_id:
        staff_notify(
            user=case.owner,
            case=case,
            key=f"event:{event.pk}:correction-uploaded",
            kind=MessageKind.CORRECTION_UPLOADED,
            subject=wording.CORRECTION_UPLOADED.subject % {"receipt": case.receipt_no},
            body=wording.CORRECTION_UPLOADED.body % {"names": "、".join(names)},
        )


def supplement_field(material: CaseMaterial) -> str:
    return f"supplement-{material.pk}"


def case_supplement_upload(
    *,
    user: User,
    case: Case,
    material_id: int,
    files: Mapping[str, Sequence[File]],
    proxy_code: str = "",
) -> CaseMaterial:
    """容缺: the applicant (or their proxy, `proxy_code`) uploads a material the window
    accepted as missing; the upload is kept with the case and the material is recorded as
    supplied online (once)."""
    authorisation = _case_actor(user, case, proxy_code)
    material = case.materials.filter(pk=material_id).first()
    if material is None or not material.outstanding:
        raise ValidationError(_("该材料无需补齐。"))
    field = supplement_field(material)
    given = {key: value for key, value in files.items() if key == field and value}
    if not given:
        raise ValidationError({field: [_("请选择要上传的文件。")]})
    checked = uploads_check(files=given, labels={field: material.name})
    writer = UploadWriter()
    try:
        with transaction.atomic():
            authorisation = _proxy_relocked(user, authorisation, case=case)
            for upload in checked[field]:
                writer.store(material=material, upload=upload, user=user)
            supplied = tolerance.tolerance_supplement_record(
                case=case, material=material, by=user, via=CaseMaterial.SupplementForm.ONLINE
            )
            if authorisation is not None:
                proxy_act_record(
                    authorisation=authorisation,
                    case=case_locked(case, related=("item", "applicant")),
                    act=ProxyAct.SUPPLEMENT,
                    user=user,
                )
            return supplied
    except BaseException:
        writer.discard()
        raise


def platform_upload_store(*, client: ApiClient, file: File) -> ApiUpload:
    """A platform uploads one file for a later filing: checked as the online hall checks a scan
    (type by content, size, pixels, a PDF's active content), kept sealed under a random id that
    only this client can reference."""
    checked = uploads_check(
        files={"file": [file]}, labels={"file": _("上传文件")}, required=["file"]
    )
    (upload,) = checked["file"]
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    row = ApiUpload(
        client=client,
        public_id=f"upl_{secrets.token_urlsafe(18)}",
        kind=upload.detected.kind,
        size=upload.detected.size,
        original_name=upload_display_name(getattr(file, "name", "")),
        sha256=digest.hexdigest(),
    )
    row.file.save(validators.safe_upload_name(file.name or "", upload.detected), file, save=False)
    try:
        row.save()
    except BaseException:
        row.file.storage.delete(row.file.name)
        raise
    return row


API_UPLOAD_KEEP = datetime.timedelta(hours=24)


def api_uploads_purge(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Uploads no filing referenced within a day are removed, rows and files (the hourly
    sweep): a platform that uploaded and never filed leaves nothing behind. One being
    referenced by a filing at this moment is locked by it and skipped."""
    cutoff = (now or timezone.now()) - API_UPLOAD_KEEP
    removed = 0
    while True:
        with transaction.atomic():
            stale = list(
                ApiUpload.objects.select_for_update(skip_locked=True)
                .filter(case__isnull=True, created_at__lt=cutoff)
                .order_by("pk")[:batch]
            )
            if not stale:
                return removed
            names = [upload.file.name for upload in stale]
            ApiUpload.objects.filter(pk__in=[upload.pk for upload in stale]).delete()
            transaction.on_commit(lambda names=names: _files_delete(names))
            removed += len(stale)


def _files_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _platform_materials_checked(
    *,
    client: ApiClient,
    requirements: Sequence[MaterialRequirement],
    materials: Mapping[int, Sequence[str]],
    not_listed: str = "",
) -> dict[int, list[ApiUpload]]:
    """The uploads each requirement is given, all the client's own; every problem at once."""
    by_pk = {r.pk: r for r in requirements}
    errors: list[str] = []
    wanted = {public_id for ids in materials.values() for public_id in ids}
    uploads = {
        u.public_id: u
        for u in ApiUpload.objects.filter(client=client, public_id__in=wanted).order_by("pk")
    }
    given: dict[int, list[ApiUpload]] = {}
    for requirement_id, ids in materials.items():
        if requirement_id not in by_pk:
            errors.append(
                (not_listed or _("材料 %(id)s 不是该事项（按所答受理问题）需要的申请材料。"))
                % {"id": requirement_id}
            )
            continue
        if len(ids) > MAX_FILES_PER_MATERIAL:
            errors.append(
                _("“%(name)s”最多 %(n)s 个文件。")
                % {"name": by_pk[requirement_id].name, "n": MAX_FILES_PER_MATERIAL}
            )
            continue
        for public_id in ids:
            upload = uploads.get(public_id)
            if upload is None:
                # someone else's upload reads exactly like one that does not exist
                errors.append(_("找不到上传文件 %(id)s。") % {"id": public_id})
            else:
                given.setdefault(requirement_id, []).append(upload)
    if errors:
        raise ValidationError({"materials": errors})
    return given


def platform_case_file(
    *,
    client: ApiClient,
    submission_key: uuid.UUID,
    item_code: str,
    applicant_details: Mapping[str, str],
    answers: Mapping[str, str],
    materials: Mapping[int, Sequence[str]] | None = None,
) -> Case:
    """A platform (an API client) files an online case for an applicant: the applicant found
    or registered and the case received in one transaction, or neither. Only items in force
    that may be filed online, and only the client's items when it has a list. The same
    `submission_key` again returns the case already filed.

    `materials` maps a checklist requirement's id to the client's earlier uploads
    (`platform_upload_store`); each upload serves one case only. A material the applicant's
    valid licence proves is taken from the library (免证办) as at the window."""
    item = (
        items_current()
        .filter(code=item_code, online_filing=True)
        .select_related("lead_department")
        .first()
    )
    allowed = list(client.items.values_list("pk", flat=True))
    if item is None or (allowed and item.pk not in allowed):
        raise ValidationError({"item_code": [_("没有可申报的该事项。")]})
    requirements = required_materials(
        item=item, applicant_type=applicant_details.get("kind", ""), answers=dict(answers)
    )
    given = _platform_materials_checked(
        client=client, requirements=requirements, materials=materials or {}
    )
    writer = UploadWriter()
    try:
        with transaction.atomic():
            locked = _uploads_locked(given)
            applicant = applicants.applicant_register(**applicant_details)
            case = receiving.case_receive(
                submission_key=submission_key,
                applicant=applicant,
                item=item,
                answers=answers,
                received_by=None,
                channel=Case.Channel.ONLINE,
                filed_by_client=client,
            )
            if case.filed_by_client_id != client.pk:
                raise ValidationError(_("提交标识冲突。"), code="submission_conflict")
            used_elsewhere = [
                u.public_id for u in locked.values() if u.case_id not in (None, case.pk)
            ]
            if used_elsewhere:
                raise ValidationError(
                    {
                        "materials": [
                            _("上传文件 %(id)s 已用于另一个办件，请重新上传。") % {"id": public_id}
                            for public_id in used_elsewhere
                        ]
                    }
                )
            if not any(u.case_id == case.pk for u in locked.values()):
                _platform_uploads_store(case=case, given=given, locked=locked, writer=writer)
            return case
    except BaseException:
        writer.discard()
        raise


def _platform_uploads_store(*, case: Case, given, locked, writer: UploadWriter) -> None:
    materials = {m.requirement_id: m for m in case.materials.all()}
    for requirement_id, uploads in given.items():
        for upload in uploads:
            _upload_copy(kept=locked[upload.pk], material=materials[requirement_id], writer=writer)
            _upload_used(locked[upload.pk], case)


def _uploads_locked(given: Mapping[int, Sequence[ApiUpload]]) -> dict[int, ApiUpload]:
    """The uploads a request names, under their row locks (a purge or another filing waits)."""
    ids = [u.pk for uploads in given.values() for u in uploads]
    return {u.pk: u for u in ApiUpload.objects.select_for_update().filter(pk__in=ids)}


def _upload_copy(*, kept: ApiUpload, material: CaseMaterial, writer: UploadWriter) -> None:
    """Store a platform's upload with one material of a case (read fresh, decrypted)."""
    stored = default_storage.open(kept.file.name, "rb")
    try:
        stored.name = kept.original_name or kept.file.name
        detected = validators.DetectedUpload(
            kind=kept.kind,
            extension=validators.UPLOAD_KINDS[kept.kind][1],
            content_type=validators.UPLOAD_KINDS[kept.kind][2],
            size=kept.size,
        )
        writer.store(
            material=material, upload=CheckedUpload(file=stored, detected=detected), user=None
        )
    finally:
        stored.close()


def _upload_used(kept: ApiUpload, case: Case) -> None:
    kept.case, kept.used_at = case, timezone.now()
    kept.save(update_fields=["case", "used_at"])


def platform_correction_upload(
    *,
    client: ApiClient,
    case: Case,
    submission_key: uuid.UUID,
    materials: Mapping[int, Sequence[str]],
) -> Case:
    """A platform answers an open correction notice of a case it filed with uploads made
    earlier (`platform_upload_store`), for the materials the notice listed and nothing else.
    As online, the case stays awaiting correction until the clerk checks the files; the upload
    is logged and the owner told; the same `submission_key` again stores nothing more."""
    if case.filed_by_client_id != client.pk:
        raise ValidationError(_("没有这个办件。"))
    writer = UploadWriter()
    try:
        with transaction.atomic():
            case = case_locked(case, related=("item", "owner", "applicant"))
            if CaseEvent.objects.filter(
                case=case,
                action=CaseAction.CORRECTION_UPLOADED,
                details__submission_key=str(submission_key),
            ).exists():
                return case
            listed = {m.requirement_id: m for m in open_correction_materials(case=case)}
            if not listed:
                raise ValidationError(_("该办件目前没有需要补正的材料。"))
            given = _platform_materials_checked(
                client=client,
                requirements=[m.requirement for m in listed.values()],
                materials=materials,
                not_listed=_("材料 %(id)s 不在一次性补正告知书所列范围内。"),
            )
            locked = _uploads_locked(given)
            used = [u.public_id for u in locked.values() if u.case_id is not None]
            if used:
                raise ValidationError(
                    {
                        "materials": [
                            _("上传文件 %(id)s 已用于另一个办件，请重新上传。") % {"id": public_id}
                            for public_id in used
                        ]
                    }
                )
            names, count = [], 0
            for requirement_id, uploads in given.items():
                for upload in uploads:
                    _upload_copy(
                        kept=locked[upload.pk], material=listed[requirement_id], writer=writer
                    )
                    _upload_used(locked[upload.pk], case)
                    count += 1
                names.append(listed[requirement_id].name)
            _correction_uploaded_record(
                case=case,
                names=names,
                files=count,
                submission_key=submission_key,
                client_name=client.name,
            )
            return case
    except BaseException:
        writer.discard()
        raise
