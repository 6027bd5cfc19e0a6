from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainedLog(models.Model):
    """A log the hall only ever appends to, and one hash chain (hall.platform.chains): the case
    events, the security log, the access log. The ORM refuses to change or delete a row (and
    PostgreSQL's triggers refuse it too, but for the chain's own columns, set once)."""

    log_name = "this log"

    chain_seq = models.BigIntegerField(_("链序号"), null=True, blank=True, unique=True)
    chain_hash = models.CharField(
        _("链校验值"), max_length=64, blank=True, default="", db_default=""
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError(f"{self.log_name} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self.log_name} is append-only")
