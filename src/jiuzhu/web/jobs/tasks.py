"""The task functions the worker runs (``jiuzhu-web db_worker``). Each updates its ``Job`` row as
it goes so that the status page can show progress; a failure is recorded, never swallowed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from django.utils import timezone
from django_tasks import task

from jiuzhu.feeds.base import FeedRejected
from jiuzhu.rules.engine import InvalidInputError
from jiuzhu.rules.system import RuleSystem, SimulationResult
from jiuzhu.web.core.redaction import mask_text
from jiuzhu.web.jobs.assessment import HouseholdFacts, household_results, rows
from jiuzhu.web.jobs.models import AssessedHousehold, AssessedProgram, Job
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household, Membership
from jiuzhu.web.verification.actions import FeedImportError, import_feeds
from jiuzhu.web.verification.models import FeedImport


def _start(job: Job, total: int) -> None:
    """The job runs (again, after an interruption: its progress starts over)."""
    job.status, job.total, job.done = Job.Status.RUNNING, total, 0
    job.started_at = job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "total", "done", "started_at", "heartbeat_at"])


def _finish(job: Job, status: str, message: str, result: dict[str, object] | None = None) -> None:
    """Store the job's outcome; the message masked (an error may quote a file's ID numbers)."""
    job.status, job.message, job.finished_at = status, mask_text(message), timezone.now()
    job.result = result or {}
    job.done = job.total if status == Job.Status.DONE else job.done
    job.save(update_fields=["status", "message", "finished_at", "result", "done"])


@task()
def import_feeds_task(job_id: int, folder: str) -> None:
    """Import a folder of department files (``jiuzhu.web.verification.actions.import_feeds``)."""
    job = Job.objects.get(pk=job_id)
    files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
    _start(job, len(files))

    def progress(path: Path, outcome: FeedImport | FeedRejected, fraction: float) -> None:
        Job.objects.filter(pk=job_id).update(
            done=min(job.total, round(fraction * job.total)), message=mask_text(path.name)
        )

    try:
        imports = import_feeds(job.created_by, Path(folder), progress=progress)
    except FeedImportError as exc:
        _finish(job, Job.Status.FAILED, str(exc), {"imported": [i.source for i in exc.imports]})
        return
    except Exception as exc:
        _finish(job, Job.Status.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    rows = sum(i.accepted for i in imports)
    _finish(
        job,
        Job.Status.DONE,
        f"{len(imports)} 个文件、{rows:,} 行",
        {"files": len(imports), "rows": rows},
    )


STEP = 500
"""Households assessed at a time: progress every slice; the engine's cost is per query, not
per household."""


@task()
def batch_assessment_task(job_id: int, on: str) -> None:
    """Assess every household of the job's jurisdiction on ``on`` from the registry (the same
    rules as one household at the counter), slice by slice: store each household's result row
    (``AssessedHousehold``: the job page lists them and downloads them as xlsx) and keep the
    counts per program in ``job.result``."""

    job = Job.objects.get(pk=job_id)
    ids = list(
        Household.objects.filter(division_code__startswith=job.division_code)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _start(job, len(ids))
    # A task run again (the worker retried it) writes its rows once.
    AssessedProgram.objects.filter(job_id=job_id).delete()
    AssessedHousehold.objects.filter(job_id=job_id).delete()
    system = rules_system()
    counts = {"dibao": 0, "near_dibao": 0, "tekun": 0, "undetermined": 0}
    skipped: list[int] = []
    try:
        for start in range(0, len(ids), STEP):
            chunk = ids[start : start + STEP]
            frames = engine_frames(system, chunk, dt.date.fromisoformat(on))
            result, bad = _simulate_valid(system, frames)
            invalid = [int(b) for b in bad]
            skipped += invalid
            _count(counts, result)
            rows(job_id, household_results(system, result), _facts(chunk), invalid).save()
            Job.objects.filter(pk=job_id).update(done=min(len(ids), start + STEP))
    except Exception as exc:
        _finish(job, Job.Status.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    numbers = list(Household.objects.filter(pk__in=skipped).values_list("number", flat=True))
    note = f"；{len(numbers)} 户数据有误未评估：{'、'.join(numbers[:20])}" if numbers else ""
    _finish(
        job,
        Job.Status.DONE,
        f"低保 {counts['dibao']:,} 户，低保边缘 {counts['near_dibao']:,} 户，特困 {counts['tekun']:,} 人，"
        f"待定 {counts['undetermined']:,} 户{note}",
        {**counts, "skipped": numbers},
    )


def _count(counts: dict[str, int], result: SimulationResult) -> None:
    """Add a slice's households per program (tekun: persons) to ``counts``."""
    households, persons = result.households, result.persons
    counts["dibao"] += int(households["dibao_eligible"].fill_null(False).sum())
    counts["near_dibao"] += int(households["near_dibao_status"].fill_null(False).sum())
    counts["undetermined"] += int(households["dibao_eligible"].null_count())
    if persons.height:
        counts["tekun"] += int(
            persons.select(pl.col("tekun_eligible").fill_null(False).sum()).item()
        )


def _facts(ids: list[int]) -> dict[int, HouseholdFacts]:
    """Household pk → its number, applicant's name and divisions (two queries)."""
    applicants = dict(
        Membership.objects.filter(household_id__in=ids, relation="01", valid_to__isnull=True)
        .order_by("household_id", "-valid_from")
        .values_list("household_id", "person__name")
    )
    return {
        pk: HouseholdFacts(number, applicants.get(pk, ""), division, township)
        for pk, number, division, township in Household.objects.filter(pk__in=ids).values_list(
            "pk", "number", "division_code", "township_code"
        )
    }


def _simulate_valid(
    system: RuleSystem, frames: dict[str, pl.DataFrame]
) -> tuple[SimulationResult, list[str]]:
    """Simulate, leaving out households whose registry data break the input rules (two
    applicants, say) instead of failing the whole jurisdiction; returns their keys."""
    try:
        return system.simulate(frames["household"], frames["person"], frames["obligor"]), []
    except InvalidInputError as exc:
        bad: set[object] = set()
        for issue in exc.issues:
            frame = frames.get(issue.entity)
            if frame is None or issue.row is None or "household_id" not in frame.columns:
                continue
            bad.add(frame["household_id"][issue.row])
    keep = [h for h in frames["household"]["household_id"].to_list() if h not in bad]
    persons = frames["person"].filter(pl.col("household_id").is_in(keep))
    obligors = frames["obligor"].filter(pl.col("person_id").is_in(persons["person_id"].implode()))
    households = frames["household"].filter(pl.col("household_id").is_in(keep))
    return system.simulate(households, persons, obligors), [str(b) for b in bad]
