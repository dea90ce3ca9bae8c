"""Entitlements and their versions.

An ``Entitlement`` is one program granted to one household (or, for tekun, one person) by a
confirmed decision. Its amount over time is a chain of ``EntitlementVersion`` rows, each valid
from a month (inclusive) to a month (exclusive) — a change never overwrites a version, it closes
it and opens the next. Months are ``YYYY-MM`` text (DESIGN.md §9), which sorts as time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.cases.models import Application, Program
from jiuzhu.web.registry.models import Household, Person


class Status(models.TextChoices):
    ACTIVE = "active", _("正常发放")
    SUSPENDED = "suspended", _("暂停发放")
    GRADUAL_EXIT = "gradual_exit", _("渐退期")
    TERMINATION_NOTICE = "termination_notice", _("终止公示中")
    TERMINATED = "terminated", _("已终止")


PAYABLE = frozenset({Status.ACTIVE, Status.GRADUAL_EXIT, Status.TERMINATION_NOTICE})
"""Statuses in which the month's amount is paid (a termination takes effect the month after its
notice; a gradual exit keeps paying until its end)."""


class ReviewClass(models.TextChoices):
    """最低生活保障审核确认办法 Art. 31: how often the household is re-checked."""

    STABLE = "stable", _("收入稳定（每年核查）")
    UNSTABLE = "unstable", _("收入不固定或有劳动能力成员（每半年核查）")


class Entitlement(models.Model):
    number = models.CharField(_("待遇编号"), max_length=24, unique=True)
    program = models.CharField(_("救助项目"), max_length=24, choices=Program.choices)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="entitlements")
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entitlements",
        help_text=_("特困人员救助供养按人；其他项目按户"),
    )
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="entitlement"
    )
    division_code = models.CharField(_("村（居）区划代码"), max_length=12, db_index=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    start_month = models.CharField(_("起始发放月份"), max_length=7)
    end_month = models.CharField(
        _("停发月份"), max_length=7, blank=True, help_text=_("从该月起不再发放（不含）")
    )
    review_class = models.CharField(
        _("核查类别"), max_length=12, choices=ReviewClass.choices, default=ReviewClass.STABLE
    )
    next_review_due = models.DateField(_("下次核查期限"), null=True, blank=True)
    gradual_exit_until = models.CharField(_("渐退期至（不含）"), max_length=7, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("救助待遇")
        verbose_name_plural = _("救助待遇")
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return self.number


class VersionBasis(models.TextChoices):
    DECISION = "decision", _("审核确认决定")
    STANDARD_CHANGE = "standard_change", _("标准调整")
    REVIEW = "review", _("定期核查")
    CHANGE_REPORT = "change_report", _("家庭变化报告")
    EMPLOYMENT_SANCTION = "employment_sanction", _("无正当理由拒绝就业减发")
    GRADUAL_EXIT = "gradual_exit", _("渐退")
    CORRECTION = "correction", _("更正")


class EntitlementVersion(models.Model):
    """The monthly amount from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; blank:
    open), with the rules and parameters it was computed with."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    valid_from = models.CharField(_("起始月份"), max_length=7)
    valid_to = models.CharField(_("截止月份（不含）"), max_length=7, blank=True)
    monthly_amount = models.BigIntegerField(_("月救助金（分）"))
    basis = models.CharField(_("依据"), max_length=24, choices=VersionBasis.choices)
    reason = models.TextField(_("说明"), blank=True)
    engine_version = models.CharField(max_length=16, blank=True)
    parameter_digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("entitlement", "number")
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "number"], name="one_version_number"),
            models.UniqueConstraint(
                fields=["entitlement", "valid_from"], name="one_version_per_start"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=0), name="version_amount_not_negative"
            ),
        ]
