from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LicenceFileForm(forms.Form):
    file = forms.FileField(
        label=_("电子证照文件（PDF）"),
        help_text=_("选择从本大厅取得的电子证照 PDF 文件，核验其签章是否完好、是否本大厅颁发。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.HALL_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("文件过大。"))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("请选择 PDF 文件。"))
        return upload
