"""Audit events: append-only (an event is never changed or deleted through the application)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One thing someone did: who, when, what, to which record, and the data before and after."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
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

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")
