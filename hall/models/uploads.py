from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hall.models.cases import CaseMaterial


class UploadedMaterial(models.Model):
    """A file an online applicant uploaded for a material (stored outside the web root)."""

    material = models.ForeignKey(
        CaseMaterial, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="uploads"
    )
    file = models.FileField(_("文件"), upload_to="uploads/%Y/%m/")
    kind = models.CharField(_("文件类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("上传材料")
        verbose_name_plural = _("上传材料")
        ordering = ["material", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name or self.file.name
