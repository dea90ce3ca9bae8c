"""A job's status and progress, written by the task as it runs and read by the status page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.jobs.timing import stale_before


class Job(models.Model):
    class Kind(models.TextChoices):
        FEED_IMPORT = "feed_import", _("导入部门数据")
        BATCH_ASSESSMENT = "batch_assessment", _("辖区家庭批量评估")
        DISCOVERY = "discovery", _("主动发现")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("任务"), max_length=32, choices=Kind.choices)
    division_code = models.CharField(_("辖区"), max_length=12)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Surviving faults (jobs.recovery): the queued task that runs the job, the last sign of life
    # of the worker running it (every few seconds), which worker, and how many times it started.
    task_id = models.CharField(_("队列任务"), max_length=64, blank=True, db_index=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    worker = models.CharField(_("后台进程"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("已运行次数"), default=0)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    @property
    def percent(self) -> int:
        return (
            int(100 * self.done / self.total)
            if self.total
            else (100 if self.status == self.Status.DONE else 0)
        )

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def stale(self) -> bool:
        """Running (or claimed) but its worker has given no sign of life for longer than
        ``JOB_STALE_SECONDS``: the worker died; the next worker retries or fails the job."""
        return (
            not self.finished
            and self.heartbeat_at is not None
            and self.heartbeat_at < stale_before()
        )


class Result(models.TextChoices):
    """A program's result for one household in a batch assessment."""

    ELIGIBLE = "eligible", _("符合")
    NOT_ELIGIBLE = "not_eligible", _("不符合")
    UNDETERMINED = "undetermined", _("待定")


ASSESSED_PROGRAMS = ("dibao", "near_dibao", "tekun", "rigid_expenditure")
"""The programs whose results a batch assessment job stores, in the registry's order: those with
columns in ``AssessedHousehold`` (a program added to the registry is assessed by the rules and
the CLI, but this table has no columns for it)."""


class AssessedHousehold(models.Model):
    """One household's result in a batch assessment job: the rows of its result list.

    The rows are kept in this table (not a result file beside the job) because the page
    filters and paginates them with the database like every other list, the workbook streams
    them, they stay within the job's jurisdiction by the same queries, and they go with the job
    (cascade) without a file store shared by the web and the worker. A batch of a district's
    tens of thousands of households is as many short rows, written in slices as the job runs;
    nothing is re-run to show or download them.

    Per program: ``<program>_result``, ``<program>_amount`` (fen per month; tekun: the sum of
    the household's tekun persons) and ``<program>_reasons`` (the rules' reason bitmask, decoded
    to labels in the reader's language when shown). ``invalid``: the registry data break the
    input rules (two applicants, say); the household was not assessed.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="households")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    number = models.CharField(_("家庭编号"), max_length=20)
    applicant = models.CharField(_("申请人"), max_length=50, blank=True)
    division_code = models.CharField(_("村（居）区划代码"), max_length=12)
    township_code = models.CharField(_("乡镇（街道）区划代码"), max_length=9)
    invalid = models.BooleanField(_("数据有误未评估"), default=False)
    dibao_result = models.CharField(_("低保"), max_length=16, choices=Result.choices, blank=True)
    dibao_amount = models.BigIntegerField(_("低保月救助金（分）"), null=True)
    dibao_reasons = models.BigIntegerField(null=True)
    near_dibao_result = models.CharField(
        _("低保边缘"), max_length=16, choices=Result.choices, blank=True
    )
    near_dibao_amount = models.BigIntegerField(_("低保边缘月救助金（分）"), null=True)
    near_dibao_reasons = models.BigIntegerField(null=True)
    tekun_result = models.CharField(_("特困"), max_length=16, choices=Result.choices, blank=True)
    tekun_amount = models.BigIntegerField(_("特困供养金（分）"), null=True)
    tekun_reasons = models.BigIntegerField(null=True)
    rigid_expenditure_result = models.CharField(
        _("刚性支出困难"), max_length=16, choices=Result.choices, blank=True
    )
    rigid_expenditure_amount = models.BigIntegerField(null=True)
    rigid_expenditure_reasons = models.BigIntegerField(null=True)

    class Meta:
        ordering = ("township_code", "division_code", "number")
        indexes = [models.Index(fields=["job", "township_code", "division_code", "number"])]
        verbose_name = _("批量评估结果")
        verbose_name_plural = _("批量评估结果")

    def __str__(self) -> str:
        return self.number
