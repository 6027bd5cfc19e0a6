"""A department's correction (Art. 34) received at the window: the first-contact owner records
that it arrived and may attach the corrected material, which the case keeps beside the original
(an `UploadedMaterial` by the clerk; the first scan is not overwritten)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from approvals.models import CaseStep
from approvals.reviews import suspensions
from hall.cases.uploads import UploadWriter, uploads_check
from hall.models import CaseMaterial


def department_correction_receive(
    *,
    step: CaseStep,
    clerk: User,
    material: CaseMaterial | None = None,
    file: File | None = None,
) -> CaseStep:
    """The correction arrived (the department's clock runs again), with the corrected file when
    given; a bad file refuses the whole (nothing is recorded, nothing left on disk)."""
    if file is not None and material is None:
        raise ValidationError({"material": [_("请选择补正的是哪一项材料。")]})
    if material is not None and material.case_id != step.case_id:
        raise ValidationError({"material": [_("请选择本办件的材料。")]})
    checked = (
        uploads_check(files={"file": [file]}, labels={"file": material.name})["file"]
        if file is not None
        else []
    )
    writer = UploadWriter()
    try:
        with transaction.atomic():
            resumed = suspensions.step_correction_supplied(step=step, clerk=clerk)
            for upload in checked:
                writer.store(material=material, upload=upload, user=clerk)
            return resumed
    except BaseException:
        writer.discard()
        raise
