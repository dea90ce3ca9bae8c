"""The daily checks of dynamic management, each a batch over every entitlement of a division.

Each function reads with a fixed number of queries whatever the number of entitlements (grouped
updates, ``values_list`` reads, bulk inserts in slices), is idempotent (a task is keyed by
entitlement, kind and key, so running twice opens nothing new) and returns how many tasks or
changes it made. ``run_daily_checks`` runs them all (``jiuzhu-web entitlement_checks``).

- ``schedule_reviews``: periodic reviews by review class (Art. 31: 12 months stable, 6 unstable),
  a task opened ``REVIEW_LEAD_DAYS`` before each due date;
- ``scan_deaths``: a member of a household with an entitlement found in the deaths feed opens a
  household check due within 3 months of the death (2022 notice);
- ``check_tekun_minors``: a tekun minor reaching 18 who is not in compulsory education, ordinary
  senior high or secondary vocational school, and has no other condition of no capacity to work,
  opens a check due on the birthday (特困人员认定办法 Art. 24): the township then starts the
  7-day termination notice and support stops from the month after the birthday;
- ``finalise_terminations``: a decided termination or an ended gradual exit becomes
  ``terminated`` when its ``end_month`` comes.

Findings open tasks; none cuts a benefit by itself (DESIGN.md §6).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Subquery

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.procedure import (
    DEATH_CHECK,
    REVIEW_LEAD_DAYS,
    TEKUN_AGE_LOOKAHEAD_DAYS,
    review_cycle,
    rule,
)
from jiuzhu.web.audit.models import AuditEvent
from jiuzhu.web.audit.texts import recorded
from jiuzhu.web.core import clock
from jiuzhu.web.core.months import add_years, month_of
from jiuzhu.web.core.programs import Program
from jiuzhu.web.core.users import Staff
from jiuzhu.web.entitlements.actions.granting import first_review_due
from jiuzhu.web.entitlements.actions.reviews import death_check_due
from jiuzhu.web.entitlements.actions.termination import age_limit
from jiuzhu.web.entitlements.actions.writes import BATCH
from jiuzhu.web.entitlements.assessment import without_persons
from jiuzhu.web.entitlements.models import (
    Entitlement,
    EntitlementEvent,
    ReviewTask,
    Status,
    TaskKind,
    TaskStatus,
)
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Membership
from jiuzhu.web.verification.models import DepartmentRecord

REVIEWED = (Status.ACTIVE, Status.SUSPENDED)
"""Entitlements that are reviewed and checked (a gradual exit or a termination notice ends)."""
LIVE = (Status.ACTIVE, Status.SUSPENDED, Status.GRADUAL_EXIT, Status.TERMINATION_NOTICE)


def _allowed(user: Staff | None) -> None:
    if user is not None and not user.has_perm("entitlements.schedule"):
        raise PermissionDenied("entitlements.schedule")


def _user(user: Staff | None) -> Staff | None:
    return user if getattr(user, "is_authenticated", False) else None


def _count_open(kind: str, division_code: str) -> int:
    return ReviewTask.objects.filter(
        kind=kind, status=TaskStatus.OPEN, division_code__startswith=division_code
    ).count()


def _insert_tasks(
    user: Staff | None, tasks: list[ReviewTask], kind: str, division_code: str
) -> int:
    """Insert the tasks that are not open yet (a task's key makes a rerun insert nothing),
    record each one opened as a task opened by hand is (``entitlements.task``), and return how
    many were opened (call inside the transaction)."""
    before = _count_open(kind, division_code)
    entitlement_ids = {t.entitlement_id for t in tasks}
    existing = set(
        ReviewTask.objects.filter(kind=kind, entitlement_id__in=entitlement_ids).values_list(
            "entitlement_id", "key"
        )
    )
    ReviewTask.objects.bulk_create(tasks, batch_size=BATCH, ignore_conflicts=True)
    households = dict(
        Entitlement.objects.filter(pk__in=entitlement_ids).values_list("pk", "household_id")
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                user=_user(user),
                action="entitlements.task",
                object_type="entitlements.entitlement",
                object_id=str(t.entitlement_id),
                division_code=t.division_code,
                household_id=households.get(t.entitlement_id),
                detail={"kind": kind, "due": t.due_on.isoformat() if t.due_on else None},
            )
            for (entitlement_id, key), t in {(t.entitlement_id, t.key): t for t in tasks}.items()
            if (entitlement_id, key) not in existing
        ],
        batch_size=BATCH,
    )
    return _count_open(kind, division_code) - before


def schedule_reviews(
    user: Staff | None = None,
    *,
    on: dt.date | None = None,
    division_code: str = "",
    lead_days: int | None = None,
) -> int:
    """Give every reviewed entitlement without one its first review date, and open a periodic
    review task for each whose review is due within ``lead_days`` of ``on`` (default today; the
    lead defaults to the working choice ``procedure.working_choice.review_lead_days``).

    Queries: one per distinct (first paid month, review class) without a date, then three.

    Returns:
        The number of review tasks opened.

    Raises:
        PermissionDenied: a user without ``entitlements.schedule``.
    """
    _allowed(user)
    on = on or clock.today()
    if lead_days is None:
        lead_days = rule(REVIEW_LEAD_DAYS).number(on)
    scope = Entitlement.objects.filter(status__in=REVIEWED, division_code__startswith=division_code)
    with transaction.atomic():
        unscheduled = scope.filter(next_review_due__isnull=True)
        groups = list(unscheduled.values_list("program", "start_month", "review_class").distinct())
        for program, start_month, review_class in groups:
            unscheduled.filter(
                program=program, start_month=start_month, review_class=review_class
            ).update(next_review_due=first_review_due(program, start_month, review_class))
        due = list(
            scope.filter(next_review_due__lte=on + dt.timedelta(days=lead_days)).values_list(
                "pk", "division_code", "next_review_due", "program", "review_class"
            )
        )
        tasks = [
            ReviewTask(
                entitlement_id=pk,
                kind=TaskKind.PERIODIC_REVIEW,
                key=f"due:{due_on.isoformat()}",
                division_code=division,
                due_on=due_on,
                due_rule=recorded(review_cycle(program, review_class).label),
                reason=review_cycle(program, review_class).values[-1].reference,
                created_by=_user(user),
            )
            for pk, division, due_on, program, review_class in due
            if due_on is not None
        ]
        return _insert_tasks(user, tasks, TaskKind.PERIODIC_REVIEW, division_code)


def scan_deaths(
    user: Staff | None = None, *, on: dt.date | None = None, division_code: str = ""
) -> int:
    """Open a household check for every member of a household with a live entitlement whom
    the deaths feed (``DepartmentRecord`` source ``deaths``, imported by verification) reports
    dead while a member: due within 3 months of the death (2022 notice). Two reads and a bulk
    insert.

    Returns:
        The number of checks opened.

    Raises:
        PermissionDenied: a user without ``entitlements.schedule``.
    """
    _allowed(user)
    on = on or clock.today()
    dead = DepartmentRecord.objects.filter(source="deaths")
    deaths: dict[str, tuple[dt.date, str]] = {}
    for resident_id, data, received_at in dead.values_list("resident_id", "data", "received_at"):
        died = data.get("died_on")
        if not died:
            continue
        died_on = dt.date.fromisoformat(str(died)[:10])
        if died_on <= on and (resident_id not in deaths or died_on < deaths[resident_id][0]):
            deaths[resident_id] = (died_on, f"{received_at:%Y-%m-%d}")
    members = (
        Membership.objects.filter(
            # Matched by the keyed hash: the IDs are sealed (core.crypto).
            person__resident_id_hash__in=Subquery(dead.values("resident_id_hash")),
            household__entitlements__status__in=LIVE,
            household__entitlements__division_code__startswith=division_code,
        )
        .values_list(
            "household__entitlements__pk",
            "household__entitlements__division_code",
            "person_id",
            "person__resident_id",
            "person__name",
            "valid_from",
            "valid_to",
        )
        .distinct()
    )
    tasks = []
    for entitlement_id, division, person_id, resident_id, name, since, until in members:
        if resident_id not in deaths:
            continue
        died_on, received = deaths[resident_id]
        if died_on < since or (until is not None and died_on > until):
            continue  # not a member when he or she died
        tasks.append(
            ReviewTask(
                entitlement_id=entitlement_id,
                kind=TaskKind.DEATH_CHECK,
                key=f"person:{person_id}",
                division_code=division,
                person_id=person_id,
                due_on=death_check_due(died_on),
                due_rule=recorded(rule(DEATH_CHECK).label),
                reason=f"{name} 于 {died_on.isoformat()} 死亡（死亡人员信息，{received} 接收）",
                created_by=_user(user),
            )
        )
    with transaction.atomic():
        return _insert_tasks(user, tasks, TaskKind.DEATH_CHECK, division_code)


def _capacity_on_birthdays(
    system: RuleSystem,
    candidates: list[tuple[int, int, int, dt.date, str]],
    birthdays: dict[int, dt.date],
    on: dt.date,
) -> dict[int, bool | None]:
    """``tekun_no_capacity_to_work`` of each candidate person, the household assessed on the
    candidate's birthday (the registry's frames for their households, one simulation)."""
    frames = engine_frames(system, sorted({h for _e, h, *_ in candidates}), on)
    # Each household is assessed on its candidate's birthday (the latest, if several: every
    # candidate of the household has then reached the limit): the engine resolves the age and
    # the school continuation on that date.
    dates = (
        pl.DataFrame(
            [(h, birthdays[p]) for _e, h, p, _b, _d in candidates],
            schema={"household_id": pl.Int64, "birthday": pl.Date},
            orient="row",
        )
        .group_by("household_id")
        .agg(pl.col("birthday").max())
    )
    households = (
        frames["household"]
        .join(dates, on="household_id", how="left")
        .with_columns(
            pl.col("birthday").fill_null(pl.col("assessment_date")).alias("assessment_date")
        )
        .drop("birthday")
    )
    frames = without_persons({**frames, "household": households})
    result = system.simulate(
        frames["household"],
        frames["person"],
        frames["obligor"],
        outputs=["tekun_no_capacity_to_work"],
    )
    still = dict(
        result.persons.select(
            pl.col("person_id").cast(pl.Int64), "tekun_no_capacity_to_work"
        ).iter_rows()
    )
    return still


def check_tekun_minors(
    user: Staff | None = None,
    *,
    on: dt.date | None = None,
    division_code: str = "",
    system: RuleSystem | None = None,
    lookahead_days: int | None = None,
) -> int:
    """Find tekun persons who reached the minor age limit (18 in Tianjin) in the past year or
    will within ``lookahead_days`` (default: the working choice
    ``procedure.working_choice.tekun_age_lookahead_days``), and whom the rules engine, assessed
    on their birthday, no longer finds without capacity to work — not in compulsory education,
    ordinary senior high or secondary vocational school, no disabling condition
    (特困人员认定办法 Art. 24). Each opens a check due on the birthday; the township starts the termination notice,
    and support stops from the month after the birthday (``termination.conclude_termination``).

    Queries: one for the candidates, the registry's frames for their households, one insert.

    Returns:
        The number of checks opened.

    Raises:
        PermissionDenied: a user without ``entitlements.schedule``.
    """
    _allowed(user)
    on = on or clock.today()
    system = system or rules_system()
    if lookahead_days is None:
        lookahead_days = rule(TEKUN_AGE_LOOKAHEAD_DAYS).number(on)
    limit = age_limit(on, system)
    candidates, birthdays = _reaching_the_limit(
        division_code, limit, on - dt.timedelta(days=366), on + dt.timedelta(days=lookahead_days)
    )
    if not candidates:
        return 0
    still = _capacity_on_birthdays(system, candidates, birthdays, on)
    tasks = []
    for entitlement_id, _household, person_id, _born, division in candidates:
        if still.get(person_id) is not False:  # True: still without capacity; None: not a member
            continue
        birthday = birthdays[person_id]
        tasks.append(
            ReviewTask(
                entitlement_id=entitlement_id,
                kind=TaskKind.TEKUN_AGE,
                key=f"age:{person_id}",
                division_code=division,
                person_id=person_id,
                due_on=birthday,
                due_rule="特困人员认定办法 第二十四条（供养至18周岁）",
                reason=(
                    f"{birthday.isoformat()} 年满{limit}周岁，不在义务教育、普通高中或中等职业学校"
                    f"就读，且无其他无劳动能力情形：{month_of(birthday)} 后终止供养（须公示7天）"
                ),
                created_by=_user(user),
            )
        )
    with transaction.atomic():
        return _insert_tasks(user, tasks, TaskKind.TEKUN_AGE, division_code)


def _reaching_the_limit(
    division_code: str, limit: int, since: dt.date, until: dt.date
) -> tuple[list[tuple[int, int, int, dt.date, str]], dict[int, dt.date]]:
    """The tekun entitlements (pk, household, person, birth date, division) whose person
    reaches ``limit`` years in (``since``, ``until``], and each person's birthday then. The
    query takes a day more on each side for a 29 February birth; the birthdays, computed with
    the rules' leap-day convention (``jiuzhu.rules.ages``), decide."""
    found = list(
        Entitlement.objects.filter(
            program=Program.TEKUN,
            status__in=REVIEWED,
            division_code__startswith=division_code,
            person__birth_date__gt=add_years(since, -limit) - dt.timedelta(days=1),
            person__birth_date__lte=add_years(until, -limit) + dt.timedelta(days=1),
        ).values_list("pk", "household_id", "person_id", "person__birth_date", "division_code")
    )
    birthdays = {person: add_years(born, limit) for _e, _h, person, born, _d in found}
    return [row for row in found if since < birthdays[row[2]] <= until], birthdays


def finalise_terminations(
    user: Staff | None = None, *, on: dt.date | None = None, division_code: str = ""
) -> int:
    """Mark ``terminated`` every entitlement whose ``end_month`` has come (a decided
    termination, an ended gradual exit): from that month it is no longer paid. One read, one
    update and two bulk inserts (events and audit).

    Returns:
        The number of entitlements terminated.

    Raises:
        PermissionDenied: a user without ``entitlements.schedule``.
    """
    _allowed(user)
    on = on or clock.today()
    month = month_of(on)
    ending = Entitlement.objects.filter(
        ~Q(end_month=""),
        end_month__lte=month,
        division_code__startswith=division_code,
    ).exclude(status=Status.TERMINATED)
    with transaction.atomic():
        rows = list(ending.select_for_update().values_list("pk", "status", "division_code"))
        ending.update(status=Status.TERMINATED)
        by_status: dict[str, list[int]] = defaultdict(list)
        for pk, status, _division in rows:
            by_status[status].append(pk)
        EntitlementEvent.objects.bulk_create(
            [
                EntitlementEvent(
                    entitlement_id=pk,
                    user=_user(user),
                    action="finalise_termination",
                    from_status=status,
                    to_status=Status.TERMINATED,
                    note=f"{month} 起停发",
                )
                for pk, status, _division in rows
            ],
            batch_size=BATCH,
        )
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    user=_user(user),
                    action="entitlements.finalise_termination",
                    object_type="entitlements.entitlement",
                    object_id=str(pk),
                    division_code=division,
                    before={"status": status},
                    after={"status": Status.TERMINATED},
                    detail={"month": month},
                )
                for pk, status, division in rows
            ],
            batch_size=BATCH,
        )
    return len(rows)


def run_daily_checks(
    user: Staff | None = None,
    *,
    on: dt.date | None = None,
    division_code: str = "",
    system: RuleSystem | None = None,
) -> dict[str, int]:
    """Every daily check, in order; the counts by check."""
    _allowed(user)
    on = on or clock.today()
    return {
        "terminated": finalise_terminations(user, on=on, division_code=division_code),
        "reviews": schedule_reviews(user, on=on, division_code=division_code),
        "deaths": scan_deaths(user, on=on, division_code=division_code),
        "tekun_minors": check_tekun_minors(user, on=on, division_code=division_code, system=system),
    }


__all__ = [
    "check_tekun_minors",
    "finalise_terminations",
    "first_review_due",
    "run_daily_checks",
    "scan_deaths",
    "schedule_reviews",
]
