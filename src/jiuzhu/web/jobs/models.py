"""A job's status and progress, written by the task as it runs and read by the status page."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import F, FilteredRelation, Q
from django.utils.translation import gettext_lazy as _

from jiuzhu.web.core.programs import program_choices
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


class AssessedQuerySet(models.QuerySet["AssessedHousehold"]):
    def with_programs(self, names: Iterable[str]) -> AssessedQuerySet:
        """The rows with, per program of ``names``, its ``<program>_result``,
        ``<program>_amount`` and ``<program>_reasons`` (``AssessedProgram``) as annotations:
        one query pivots them (a join per program on the unique household and program), so a
        page of rows and its filter on a program's result cost no query per row; None where
        the household has no result for the program (not assessed)."""
        rows = self
        for name in names:
            joined = f"assessed_{name}"
            rows = rows.annotate(
                **{joined: FilteredRelation("programs", condition=Q(programs__program=name))}
            ).annotate(
                **{
                    f"{name}_{part}": F(f"{joined}__{part}")
                    for part in ("result", "amount", "reasons")
                }
            )
        return rows


class AssessedHousehold(models.Model):
    """One household's result in a batch assessment job: the rows of its result list.

    The rows are kept in this table (not a result file beside the job) because the page
    filters and paginates them with the database like every other list, the workbook streams
    them, they stay within the job's jurisdiction by the same queries, and they go with the job
    (cascade) without a file store shared by the web and the worker. A batch of a district's
    tens of thousands of households is as many short rows, written in slices as the job runs;
    nothing is re-run to show or download them.

    Each program's result is a row of ``AssessedProgram`` (the programs are the registry's, so
    a program plugged in is stored and shown with no migration); ``with_programs`` reads them
    as columns. ``invalid``: the registry data break the input rules (two applicants, say); the
    household was not assessed and has no program rows.
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

    objects = AssessedQuerySet.as_manager()

    class Meta:
        ordering = ("township_code", "division_code", "number")
        indexes = [models.Index(fields=["job", "township_code", "division_code", "number"])]
        verbose_name = _("批量评估结果")
        verbose_name_plural = _("批量评估结果")

    def __str__(self) -> str:
        return self.number


class AssessedProgram(models.Model):
    """One program's result for one household of a batch assessment job: ``result`` a
    ``Result``, ``amount`` in fen a month (None where not eligible or the program pays nothing;
    tekun, decided per person: the sum of the household's tekun persons) and ``reasons`` the
    rules' reason bitmask (decoded to labels in the reader's language when shown).

    ``job`` repeats the household's job so that the counts per program and result, and the
    page's filter on them, read one index (job, program, result) of this table."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        AssessedHousehold, on_delete=models.CASCADE, related_name="programs"
    )
    program = models.CharField(_("救助项目"), max_length=24, choices=program_choices)
    result = models.CharField(_("评估结果"), max_length=16, choices=Result.choices)
    amount = models.BigIntegerField(_("月救助金（分）"), null=True)
    reasons = models.BigIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "program"], name="assessed_program_once")
        ]
        indexes = [
            models.Index(fields=["job", "program", "result"], name="assessed_program_result")
        ]
        verbose_name = _("批量评估项目结果")
        verbose_name_plural = _("批量评估项目结果")

    def __str__(self) -> str:
        return f"{self.program}: {self.result}"
