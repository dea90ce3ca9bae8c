"""Reading jobs and a batch assessment's result rows, within the user's jurisdiction."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from jiuzhu.web.core.jurisdiction import get_within
from jiuzhu.web.core.users import Visitor
from jiuzhu.web.jobs.models import ASSESSED_PROGRAMS, AssessedHousehold, Job, Result


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
    """The job's result rows, by township, community and household number; ``program`` and
    ``result`` (a ``Result``, or ``invalid`` for the households not assessed) filter them."""
    rows = AssessedHousehold.objects.filter(job=job)
    if result == "invalid":
        return rows.filter(invalid=True)
    if program in ASSESSED_PROGRAMS and result in Result.values:
        rows = rows.filter(**{f"{program}_result": result})
    return rows


def totals(job: Job) -> dict[str, dict[str, int]]:
    """Per program, how many households are eligible, not eligible and undetermined (one
    query)."""
    found = AssessedHousehold.objects.filter(job=job).aggregate(
        invalid=Count("pk", filter=Q(invalid=True)),
        **{
            f"{program}__{result}": Count("pk", filter=Q(**{f"{program}_result": result}))
            for program in ASSESSED_PROGRAMS
            for result in Result.values
        },
    )
    counts: dict[str, dict[str, int]] = {p: {} for p in ASSESSED_PROGRAMS}
    for key, value in found.items():
        if "__" in key:
            program, result = key.split("__")
            counts[program][result] = value
    counts["invalid"] = {"count": found["invalid"]}
    return counts
