"""What the operators watch: when each periodic sweep last ran."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SweepHeartbeat(models.Model):
    """One row per beat schedule entry, written by the worker each time the entry's task ends
    successfully (hall.platform.heartbeats). `/healthz` reports a sweep that has not run within
    its period plus a grace as late: beat down, the workers down, or the broker unreachable."""

    name = models.CharField(_("定时任务"), max_length=100, unique=True)
    task = models.CharField(_("任务名"), max_length=200)
    ran_at = models.DateTimeField(_("最近完成时间"))

    class Meta:
        verbose_name = _("定时任务心跳")
        verbose_name_plural = _("定时任务心跳")

    def __str__(self) -> str:
        return f"{self.name} {timezone.localtime(self.ran_at):%Y-%m-%d %H:%M:%S}"
