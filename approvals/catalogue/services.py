"""Writes to the catalogue: a new version of an item (the old one is closed; cases keep theirs)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from approvals.models import (
    ServiceItem,
)


def _copy(instance, **changes):
    """An unsaved copy of a model instance with `changes` applied."""
    fields = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
    fields.update(changes)
    return type(instance)(**fields)


@transaction.atomic
def item_new_version(*, item: ServiceItem, effective_from: datetime.date) -> ServiceItem:
    """Copy `item` with its questions, materials, stages and steps into the next version.

    The new version is in force from `effective_from`; the latest version until then is closed the
    day before, so versions of a code never overlap and a filed case keeps the version it was filed
    under. The new version joins the bundles the copied one belongs to.
    """
    # Lock every version of the code (in pk order) so two administrators cannot both add "v+1";
    # then read the versions again: a statement that started after the lock sees a version the
    # other administrator committed meanwhile.
    list(ServiceItem.objects.select_for_update().filter(code=item.code).order_by("pk"))
    latest = ServiceItem.objects.filter(code=item.code).order_by("-version").first()
    if effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "新版本的生效日期须晚于第 %(version)s 版的生效日期（%(date)s）。"
                )
                % {"version": latest.version, "date": latest.effective_from.isoformat()}
            }
        )
    if latest.effective_to is None or latest.effective_to >= effective_from:
        latest.effective_to = effective_from - datetime.timedelta(days=1)
        latest.full_clean()
        latest.save(update_fields=["effective_to"])
        if item.pk == latest.pk:
            item.effective_to = latest.effective_to

    new_item = _copy(
        item, version=latest.version + 1, effective_from=effective_from, effective_to=None
    )
    new_item.full_clean()
    new_item.save()

    for question in item.questions.all():
        copied = _copy(question, item_id=new_item.pk)
        copied.full_clean()
        copied.save()
    for material in item.materials.all():
        copied = _copy(material, item_id=new_item.pk)
        copied.full_clean()
        copied.save()
    for stage in item.stages.prefetch_related("steps"):
        new_stage = _copy(stage, item_id=new_item.pk)
        new_stage.full_clean()
        new_stage.save()
        for step in stage.steps.all():
            copied = _copy(step, stage_id=new_stage.pk)
            copied.full_clean()
            copied.save()
    for bundle in item.bundles.all():
        bundle.items.add(new_item)
    return new_item
