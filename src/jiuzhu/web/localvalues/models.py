"""Local values (本地值) the district records for parameters the rules mark unknown or low
(addendum decision 16; ``jiuzhu.rules.engine.local_values``): one officer enters the value with
its document, another checks it, and from then on the platform's rules use it. An adopted change
(本地调整, ``adopted``) is a new standard the bureau decided: an approved scenario
(``jiuzhu.web.scenarios``) records one per changed parameter, its maker and checker those of the
scenario."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.accounts.models import DISTRICT_CODE


class Status(models.TextChoices):
    AWAITING_CHECK = "awaiting_check", _("待复核")
    IN_FORCE = "in_force", _("已生效")
    REJECTED = "rejected", _("已退回")


class LocalValue(models.Model):
    """A value of a rules parameter from ``start`` (as written in the parameter files: yuan,
    ratios, codes, or a mapping over a breakdown's codes), with the document it comes from."""

    parameter = models.CharField(_("参数"), max_length=120)
    start = models.DateField(_("起始日期"))
    value = models.JSONField(_("取值"))
    document = models.CharField(_("依据文件"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.AWAITING_CHECK
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("退回理由"), blank=True)
    adopted = models.BooleanField(
        _("本地调整"),
        default=False,
        help_text=_("局里测算后采纳的新标准（自起始日期起新的一期），而非补充未知的值"),
    )

    class Meta:
        verbose_name = _("本地值")
        verbose_name_plural = _("本地值")
        constraints = [
            models.UniqueConstraint(
                fields=["parameter", "start"],
                condition=models.Q(status="in_force"),
                name="one_local_value_in_force_per_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.parameter} {self.start}"

    @property
    def division_code(self) -> str:
        """The district's: local values are the district bureau's."""
        return DISTRICT_CODE
