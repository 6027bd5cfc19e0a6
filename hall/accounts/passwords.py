"""The hall's own password rule, beside Django's four (length 12, common, numeric, similar).

Django's similarity check compares the whole password with the name and phone: "王五王五王五王五
王五王五" is twelve characters, not common, not numeric, and only 28 % like "王五", so it passed.
A password made of the person's name or phone, or of one short piece repeated, or of fewer than
five different characters, is refused, with the rule in the person's language.
"""

from __future__ import annotations

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_DISTINCT = 5
_REPEATED_PIECE = re.compile(r"(.{1,6}?)\1+", re.S)


def _personal_parts(user) -> list[str]:
    if user is None:
        return []
    parts = [
        getattr(user, "username", "") or "",
        getattr(user, "last_name", "") or "",
        getattr(user, "first_name", "") or "",
    ]
    return [part.strip().lower() for part in parts if len(part.strip()) >= 2]


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in the hall's catalogue: Django 5.2 formats the
    message from a msgid ("... at least %d characters.") that its own Chinese catalogue does not
    carry (it has "%(min_length)d"), so the refusal was shown in English."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(n)s 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(n)s 个字符。") % {"n": self.min_length}


class VariedPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        folded = password.lower()
        if len(set(folded)) < MIN_DISTINCT:
            raise ValidationError(
                _("密码至少要包含 %(n)s 个不同的字符。") % {"n": MIN_DISTINCT},
                code="password_too_uniform",
            )
        if _REPEATED_PIECE.fullmatch(folded):
            raise ValidationError(_("密码不能由同一段字符重复组成。"), code="password_repeated")
        for part in _personal_parts(user):
            if part in folded and len(folded.replace(part, "")) < 6:
                raise ValidationError(
                    _("密码不能主要由您的姓名、手机号或账号组成。"), code="password_personal"
                )

    def get_help_text(self) -> str:
        return _(
            "至少 %(n)s 个不同的字符，不能由同一段字符重复组成，不能主要由姓名或手机号组成。"
        ) % {"n": MIN_DISTINCT}
