"""Checking and writing uploaded files, for every room that takes them (online filing, its
corrections and supplements, the window's corrected materials, the API).

Uploads are checked by their content (PDF, PNG, JPEG; `hall.common.validators.validate_upload`),
capped at `HALL_UPLOAD_MAX_BYTES`, stored under a random name in the private media root (outside
the web root). Every file is checked before anything is written, so a refused file leaves nothing
behind; `UploadWriter` removes what it wrote again when the transaction fails.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _
from PIL import Image

from hall.common import validators
from hall.models import CaseMaterial, UploadedMaterial

MAX_FILES_PER_MATERIAL = 5


def upload_display_name(name: str) -> str:
    """The client's file name, for display only (escaped wherever shown)."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    return base[:200]


@dataclass(frozen=True)
class CheckedUpload:
    file: File
    detected: validators.DetectedUpload


def uploads_check(
    *,
    files: Mapping[str, Sequence[File]],
    labels: Mapping[str, str],
    required: Sequence[str] = (),
) -> dict[str, list[CheckedUpload]]:
    """Check every file of every field; raise one ValidationError keyed by field with every
    problem (the material's name in each message), or return the files with their kinds."""
    errors: dict[str, list[str]] = {}
    checked: dict[str, list[CheckedUpload]] = {}
    for key in required:
        if not files.get(key):
            errors.setdefault(key, []).append(
                _("请上传“%(name)s”。") % {"name": labels.get(key, key)}
            )
    for key, field_files in files.items():
        if key not in labels:
            errors.setdefault(key, []).append(_("该材料不在本次可上传的范围内。"))
        elif len(field_files) > MAX_FILES_PER_MATERIAL:
            errors.setdefault(key, []).append(
                _("“%(name)s”最多上传 %(n)s 个文件。")
                % {"name": labels[key], "n": MAX_FILES_PER_MATERIAL}
            )
    # A filing refused anyway (a material missing, a field unknown) is told every problem at
    # once but decodes no image: the files are only checked by their bytes and headers (four
    # such filings of fifteen large scans once held every web worker for 13 s).
    decode = not errors
    pixels = sum(_header_pixels(upload) for uploads in files.values() for upload in uploads)
    if decode and pixels > settings.HALL_UPLOAD_PIXELS_PER_REQUEST:
        raise ValidationError(
            _(
                "本次上传的图片共约 %(mp)s 百万像素，超过单次 %(limit)s 百万像素的上限。"
                "请降低扫描分辨率（200–300 dpi 即可）或分次补传。"
            )
            % {
                "mp": pixels // 1_000_000,
                "limit": settings.HALL_UPLOAD_PIXELS_PER_REQUEST // 1_000_000,
            },
            code="upload_pixels",
        )
    for key, field_files in files.items():
        if key not in labels or len(field_files) > MAX_FILES_PER_MATERIAL:
            continue
        for upload in field_files:
            try:
                detected = validators.validate_upload(
                    upload, max_bytes=settings.HALL_UPLOAD_MAX_BYTES, verify_images=decode
                )
            except ValidationError as error:
                shown = upload_display_name(getattr(upload, "name", "")) or _("未命名文件")
                errors.setdefault(key, []).extend(
                    f"{labels[key]}（{shown}）：{message}" for message in error.messages
                )
                continue
            checked.setdefault(key, []).append(CheckedUpload(file=upload, detected=detected))
    if errors:
        raise ValidationError(errors)
    return checked


def _header_pixels(upload: File) -> int:
    """An image's width × height from its header, without decoding a pixel (0 for a PDF or a
    file that is not an image: the full check refuses those on its own)."""
    try:
        upload.seek(0)
        kind = validators.detect_upload_kind(upload.read(16))
        if kind not in ("png", "jpeg"):
            return 0
        upload.seek(0)
        with Image.open(upload) as image:
            width, height = image.size
        return width * height
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return 0
    finally:
        upload.seek(0)


class UploadWriter:
    """Writes uploads to storage and removes them again if the transaction fails."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.storage = None

    def store(
        self, *, material: CaseMaterial, upload: CheckedUpload, user: User
    ) -> UploadedMaterial:
        row = UploadedMaterial(
            material=material,
            kind=upload.detected.kind,
            size=upload.detected.size,
            original_name=upload_display_name(getattr(upload.file, "name", "")),
            uploaded_by=user,
        )
        upload.file.seek(0)
        row.file.save(
            validators.safe_upload_name(upload.file.name or "", upload.detected),
            upload.file,
            save=False,
        )
        self.storage = row.file.storage
        self.names.append(row.file.name)
        row.save()
        return row

    def discard(self) -> None:
        for name in self.names:
            with contextlib.suppress(OSError):  # best effort on a failing disk
                self.storage.delete(name)
