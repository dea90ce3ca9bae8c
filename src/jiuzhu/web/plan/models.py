"""The registers behind the plan indicators (规划指标) of 《宝坻区民政事业发展“十四五”规划》:
elderly-care institutions (养老机构) and day-care centres (日间照料中心) of each township, with
their beds, their medical service arrangement and their inspections; and the places where
marriage and family counselling (婚姻家庭辅导) runs. ``indicators`` computes the plan's
indicators from them; ``docs/plan-indicators.md`` defines each one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INSTITUTION = "institution", _("养老机构")
    DAY_CARE = "day_care", _("日间照料中心")


class Status(models.TextChoices):
    OPERATING = "operating", _("运营中")
    CLOSED = "closed", _("已停业")


class Medical(models.TextChoices):
    """How residents get medical care (the plan's 医疗卫生服务): a clinic of the facility's
    own, or a signed agreement with a medical institution (医养结合签约), or neither."""

    IN_HOUSE = "in_house", _("内设医疗机构")
    AGREEMENT = "agreement", _("与医疗机构签约")
    NONE = "none", _("无")


class Outcome(models.TextChoices):
    PASSED = "passed", _("合格")
    RECTIFY = "rectify", _("限期整改")
    FAILED = "failed", _("不合格")


class Facility(models.Model):
    """One elderly-care institution or day-care centre of a township. ``beds``: the
    institution's beds (a day-care centre's rest beds are kept but no indicator counts them)."""

    division_code = models.CharField(_("所在乡镇（街道）区划代码"), max_length=12, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    operator = models.CharField(_("运营方"), max_length=100)
    beds = models.PositiveIntegerField(_("床位数"), default=0)
    medical = models.CharField(
        _("医疗卫生服务方式"), max_length=12, choices=Medical.choices, default=Medical.NONE
    )
    medical_partner = models.CharField(_("签约医疗机构"), max_length=100, blank=True)
    medical_start = models.DateField(_("医疗服务起始日期"), null=True, blank=True)
    medical_end = models.DateField(_("签约协议到期日期"), null=True, blank=True)
    opened_on = models.DateField(_("开业日期"))
    status = models.CharField(
        _("运营状态"), max_length=12, choices=Status.choices, default=Status.OPERATING
    )
    closed_on = models.DateField(_("停业日期"), null=True, blank=True)
    demo = models.BooleanField(_("演示数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The platform's day (core.clock, the demo's date in a demo), not the wall clock: the
    # dashboard dates an indicator's latest value by it.
    changed_on = models.DateField(_("最近修改日期"))

    class Meta:
        ordering = ("division_code", "kind", "name")
        verbose_name = _("养老服务机构")
        verbose_name_plural = _("养老服务机构")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(medical_end__isnull=True)
                | models.Q(medical_start__isnull=True)
                | models.Q(medical_end__gt=models.F("medical_start")),
                name="plan_agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """One inspection of a facility: when, by whom, the outcome and what was found."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    inspector = models.CharField(_("检查人员或单位"), max_length=100)
    outcome = models.CharField(_("检查结果"), max_length=12, choices=Outcome.choices)
    findings = models.TextField(_("发现的问题"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ("-inspected_on", "-pk")
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")

    def __str__(self) -> str:
        return f"{self.facility} {self.inspected_on}"

    @property
    def division_code(self) -> str:
        """The facility's township: an inspection is in the facility's jurisdiction."""
        return self.facility.division_code


class Venue(models.TextChoices):
    MARRIAGE_REGISTRY = "marriage_registry", _("婚姻登记机关")
    TOWNSHIP = "township", _("乡镇（街道）服务站点")


class CounsellingPoint(models.Model):
    """A place where marriage and family counselling runs: at the district's marriage registry
    (``division_code`` the district's) or a township's service point (the township's), from
    ``started_on`` until ``ended_on`` (blank: still running)."""

    division_code = models.CharField(_("所属区划代码"), max_length=12, db_index=True)
    venue = models.CharField(_("服务场所类别"), max_length=20, choices=Venue.choices)
    name = models.CharField(_("服务场所名称"), max_length=100)
    provider = models.CharField(_("服务提供方"), max_length=100, blank=True)
    started_on = models.DateField(_("开展服务起始日期"))
    ended_on = models.DateField(_("停止服务日期"), null=True, blank=True)
    demo = models.BooleanField(_("演示数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The platform's day (core.clock, the demo's date in a demo), not the wall clock: the
    # dashboard dates an indicator's latest value by it.
    changed_on = models.DateField(_("最近修改日期"))

    class Meta:
        ordering = ("division_code", "name")
        verbose_name = _("婚姻家庭辅导服务场所")
        verbose_name_plural = _("婚姻家庭辅导服务场所")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="plan_counselling_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name
