"""Reading jobs and a batch assessment's result rows, within the user's jurisdiction."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.programs import applicable
from jiuzhu.web.core.users import Visitor
from jiuzhu.web.jobs.models import AssessedHousehold, AssessedProgram, Job, Result


def jobs_for(user: Visitor) -> QuerySet[Job]:
    """Jobs of the user's jurisdiction (a township sees its own, the district all)."""
    division = getattr(user, "division_code", "")
    if not division:
        return Job.objects.none()
    return Job.objects.filter(division_code__startswith=division).select_related("created_by")


def job_for(user: Visitor, pk: int) -> Job:
    """Raises Http404 outside the jurisdiction."""
    return get_within(jobs_for(user), pk)


def assessed(job: Job, program: str = "", result: str = "") -> QuerySet[AssessedHousehold]:
    """The job's result rows, by township, community and household number, with each
    program's ``<program>_result``, ``_amount`` and ``_reasons`` (the programs applied for, as
    registered now); ``program`` and ``result`` (a ``Result``, or ``invalid`` for the
    households not assessed) filter them."""
    names = [p.name for p in applicable()]
    rows = AssessedHousehold.objects.with_programs(names).filter(job=job)
    if result == "invalid":
        return rows.filter(invalid=True)
    if program in names and result in Result.values:
        rows = rows.filter(**{f"{program}_result": result})
    return rows


def totals(job: Job) -> dict[str, dict[str, int]]:
    """Per program applied for, how many households are eligible, not eligible and
    undetermined; ``"invalid"``: ``{"count": households not assessed}`` (two queries, each
    read from an index)."""
    counts: dict[str, dict[str, int]] = {p.name: {} for p in applicable()}
    found = (
        AssessedProgram.objects.filter(job=job)
        .values_list("program", "result")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for program, result, count in found:
        if program in counts:
            counts[program][result] = count
    counts["invalid"] = {"count": AssessedHousehold.objects.filter(job=job, invalid=True).count()}
    return counts
