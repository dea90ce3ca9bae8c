"""Family economic-status verification (家庭经济状况核对, 《最低生活保障审核确认办法》第十七条).

Departments deliver files (``jiuzhu.feeds``); each accepted row becomes a ``DepartmentRecord``,
and each delivery a ``FeedImport``. A new delivery of a source supersedes the previous one: its
records replace the old records of that source (the old ``FeedImport`` is kept, marked
``superseded_by``). Verifying an application is a ``VerificationRun``: one ``VerificationAnswer``
per member and source, holding a copy of the matching records (so a run stays readable after
its deliveries are superseded) and the values derived from them, and one ``Discrepancy`` per
item compared (declared against found; ``warning`` when they differ).

Money is integer fen; floor areas are hundredths of a square metre; periods are ``YYYY-MM``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.fields import SealedCharField, SealedModel, SearchHashField
from jiuzhu.web.registry.models import Person


class FeedImport(models.Model):
    """One department file loaded into the records (a delivery)."""

    path = models.CharField(_("文件"), max_length=500)
    source = models.CharField(_("数据来源"), max_length=32, db_index=True)
    label = models.CharField(_("数据名称"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("接收时间"))
    rows = models.PositiveIntegerField(_("读取行数"), default=0)
    accepted = models.PositiveIntegerField(_("接收行数"), default=0)
    duplicates = models.PositiveIntegerField(_("重复行数"), default=0)
    unknown_ids = models.PositiveIntegerField(_("不在登记库的行数"), default=0)
    first_period = models.CharField(_("最早所属期"), max_length=7, blank=True)
    last_period = models.CharField(_("最晚所属期"), max_length=7, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人"),
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    report = models.TextField(_("读取报告"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被后续交付替代"),
    )

    class Meta:
        ordering = ("-imported_at", "-id")
        verbose_name = _("部门数据导入")
        verbose_name_plural = _("部门数据导入")

    def __str__(self) -> str:
        return f"{self.source} {self.received_at:%Y-%m-%d %H:%M}"


class DepartmentRecord(SealedModel):
    """One normalised row of a department's delivery.

    ``data`` holds the row's fields as JSON values (dates ISO, money in fen, areas in hundredths
    of a square metre, codes as identifiers) and ``line``, the row's line in the file.
    """

    source = models.CharField(_("数据来源"), max_length=32)
    # Sealed at rest (core.crypto); records are matched to people by the keyed hash.
    resident_id = SealedCharField(_("公民身份号码"), max_length=18)
    resident_id_hash = SearchHashField(_("身份证号检索码"), source="resident_id")
    period = models.CharField(_("所属期"), max_length=7, blank=True)
    received_at = models.DateTimeField(_("接收时间"))
    data = models.JSONField(_("数据"))
    feed_import = models.ForeignKey(
        FeedImport, on_delete=models.CASCADE, related_name="records", verbose_name=_("导入批次")
    )

    class Meta:
        verbose_name = _("部门数据记录")
        verbose_name_plural = _("部门数据记录")
        indexes = [models.Index(fields=["resident_id_hash", "source"])]

    def __str__(self) -> str:
        return f"{self.source} {self.resident_id} {self.period}"


class RunStatus(models.TextChoices):
    FINISHED = "finished", _("已完成")


class VerificationRun(models.Model):
    """One verification of an application's household (all members, all sources)."""

    application = models.ForeignKey(
        "cases.Application", on_delete=models.CASCADE, related_name="verification_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("核对人"),
    )
    requested_at = models.DateTimeField(_("发起时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.FINISHED
    )
    month = models.CharField(_("核对所属月份"), max_length=7)
    members = models.PositiveSmallIntegerField(_("核对人数"), default=0)
    warnings = models.PositiveSmallIntegerField(_("不一致项"), default=0)

    class Meta:
        ordering = ("-requested_at", "-id")
        verbose_name = _("核对")
        verbose_name_plural = _("核对")

    def __str__(self) -> str:
        return f"{self.application_id} {self.requested_at:%Y-%m-%d %H:%M}"


class VerificationAnswer(models.Model):
    """What one source said about one member in a run."""

    run = models.ForeignKey(VerificationRun, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("成员")
    )
    source = models.CharField(_("数据来源"), max_length=32)
    found = models.BooleanField(_("有记录"), default=False)
    records = models.JSONField(_("记录"), default=list)
    summary = models.JSONField(_("核对结果"), default=dict)

    class Meta:
        verbose_name = _("核对结果")
        verbose_name_plural = _("核对结果")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person", "source"], name="one_answer_per_source"
            )
        ]


class Unit(models.TextChoices):
    FEN_PER_MONTH = "fen_per_month", _("元/月")
    FEN = "fen", _("元")
    COUNT = "count", _("个")
    AREA = "area", _("平方米")
    TEXT = "text", _("文字")


class Severity(models.TextChoices):
    INFO = "info", _("一致或仅供参考")
    WARNING = "warning", _("不一致")


class Discrepancy(models.Model):
    """One compared item: the declared (or registered) value against the value found.

    Every compared item has a row; ``warning`` marks those that differ (money by more than one
    yuan). ``person`` is empty for household items (vehicles, homes, medical expenditure).
    Values are JSON: integers in the unit (fen, fen per month, a count, hundredths of a square
    metre) or text.
    """

    run = models.ForeignKey(VerificationRun, on_delete=models.CASCADE, related_name="discrepancies")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item = models.CharField(_("项目代码"), max_length=40)
    label = models.CharField(_("项目"), max_length=60)
    source = models.CharField(_("数据来源"), max_length=32)
    declared = models.JSONField(_("申报值"), null=True, blank=True)
    found = models.JSONField(_("核对值"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices)
    severity = models.CharField(_("程度"), max_length=8, choices=Severity.choices)
    period = models.CharField(_("所属期"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("数据接收时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ("id",)
        verbose_name = _("核对比对项")
        verbose_name_plural = _("核对比对项")
