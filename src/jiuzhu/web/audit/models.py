"""Audit events: append-only and hash-chained (``chain``). An event is never changed or deleted
through the application (``save``/``delete`` refuse) nor in the database (triggers installed by
the migrations, ``protection``); ``verify_audit`` recomputes the chain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.audit import chain


class AuditEventManager(models.Manager["AuditEvent"]):
    """Every way of creating events seals them into the chain first."""

    def bulk_create(
        self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any
    ) -> list[AuditEvent]:
        events = list(objs)
        with transaction.atomic(using=self.db):
            chain.seal(self.model, events, self.db)
            return super().bulk_create(events, *args, **kwargs)


class AuditEvent(models.Model):
    """One thing someone did: who, when, what, to which record, and the data before and after."""

    sequence = models.BigIntegerField(_("序号"), unique=True)
    """Consecutive from 1 in the order of recording (``chain``)."""
    prev_hash = models.CharField(_("前一事件的哈希值"), max_length=64)
    hash = models.CharField(_("哈希值"), max_length=64)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    division_code = models.CharField(_("区划代码"), max_length=12, blank=True, db_index=True)
    household_id = models.BigIntegerField(_("家庭"), null=True, blank=True, db_index=True)
    """The household the event concerns (its own, a member's, an application's, an
    entitlement's, a payment's or an account's), where it can be derived: a plain integer and no
    foreign key, so that the trail never depends on the records it describes."""
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    detail = models.JSONField(_("说明"), default=dict, blank=True)

    objects = AuditEventManager()

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using):
            chain.seal(type(self), [self], using)
            super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class ChainCheck(models.Model):
    """One verification of the chain (``verify_audit``): how far it was found intact, and the
    first broken link if any. Append-only like the events (``protection``): a later check
    compares the chain with the last intact one, which finds events removed from the end."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    events = models.BigIntegerField(_("校验的事件数"))
    last_sequence = models.BigIntegerField(_("完好至序号"))
    last_hash = models.CharField(_("完好部分最后的哈希值"), max_length=64)
    intact = models.BooleanField(_("完好"))
    problem = models.JSONField(_("断裂之处"), null=True, blank=True)
    seconds = models.FloatField(_("用时（秒）"))

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("审计链校验")
        verbose_name_plural = _("审计链校验")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("chain checks are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("chain checks are append-only")
