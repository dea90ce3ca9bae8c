"""The indicators of 《宝坻区民政事业发展“十四五”规划》 (2021–2025) that the platform can measure,
computed from plain rows (no database here: ``queries`` loads the rows).

The plan's words (第一章第三节 发展目标, targets for 2025):

- "养老机构床位达到3560张以上": ``beds`` — the beds of the elderly-care institutions operating
  on the day, against 3,560 (a district target);
- "养老机构、日间照料中心的医疗卫生服务覆盖率达到100%": ``medical_coverage`` — the share of the
  institutions and day-care centres operating on the day whose medical arrangement is in force
  that day (an in-house clinic, or an agreement with a medical institution whose term covers
  the day), against 100 %;
- "孤儿养育标准随城市低保标准调整逐步提高": ``orphan_allowance`` (computed in ``queries`` from
  the rules' parameters);
- "进一步提高婚姻家庭辅导服务开展率": ``counselling`` — the share of the district's service units
  (its marriage registry and each township) where counselling runs on the day; the plan
  publishes neither a number nor a definition, so the target is unknown.

``docs/plan-indicators.md`` states each definition and its source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from jiuzhu.rules import RuleSystem
from jiuzhu.rules.engine.errors import ParameterNotDefinedError
from jiuzhu.rules.standards import DIBAO_STANDARD, linked_standards

PLAN = "宝坻区民政事业发展“十四五”规划"
"""The plan's title, as the platform cites it (the source of every indicator here)."""

BEDS_TARGET = 3560
"""Institution beds by 2025: "养老机构床位达到3560张以上" (第一章第三节)."""

COVERAGE_TARGET = Fraction(1)
"""Medical service coverage by 2025: "医疗卫生服务覆盖率达到100%" (第一章第三节)."""

COUNSELLING_TARGET: Fraction | None = None
"""Counselling coverage by 2025: unknown. The plan asks only to "进一步提高婚姻家庭辅导服务开展率"
and publishes no number and no baseline."""


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    DISTRICT_ONLY = "district_only"
    """A district target seen from part of the district: not judged."""


@dataclass(frozen=True)
class FacilityRow:
    """A facility as the indicators read it. Dates are days; ``beds`` a count."""

    township: str
    institution: bool
    beds: int
    opened_on: dt.date
    closed_on: dt.date | None
    medical: str
    """``in_house``, ``agreement`` or ``none`` (``models.Medical``)."""
    medical_start: dt.date | None
    medical_end: dt.date | None

    def operating(self, on: dt.date) -> bool:
        """Open on ``on``: opened by then and not yet closed."""
        return self.opened_on <= on and (self.closed_on is None or self.closed_on > on)

    def covered(self, on: dt.date) -> bool:
        """A medical arrangement in force on ``on``: an in-house clinic (from its start, when
        known), or an agreement whose term (start to end, both inclusive) covers the day. An
        expired agreement covers nothing."""
        if self.medical == "in_house":
            return self.medical_start is None or self.medical_start <= on
        if self.medical == "agreement":
            return (
                self.medical_start is not None
                and self.medical_end is not None
                and self.medical_start <= on <= self.medical_end
            )
        return False


@dataclass(frozen=True)
class PointRow:
    """A counselling place: its division (the district's for the marriage registry, else a
    township's) and the days it runs."""

    division: str
    registry: bool
    started_on: dt.date
    ended_on: dt.date | None

    def running(self, on: dt.date) -> bool:
        return self.started_on <= on and (self.ended_on is None or self.ended_on >= on)


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole`` (counts); ``value`` None when ``whole`` is 0."""

    part: int
    whole: int

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.part, self.whole) if self.whole else None

    @property
    def percent(self) -> str:
        """The share in per cent with one decimal ("87.5"), or "" when there is nothing."""
        value = self.value
        return "" if value is None else f"{float(value * 100):.1f}"


def beds(rows: Iterable[FacilityRow], on: dt.date) -> dict[str, int]:
    """Beds of the institutions operating on ``on``, by township (day-care centres and closed
    institutions count none)."""
    found: dict[str, int] = {}
    for row in rows:
        if row.institution and row.operating(on):
            found[row.township] = found.get(row.township, 0) + row.beds
    return found


def beds_status(total: int, whole_district: bool) -> Status:
    """Met when the district's beds reach the target; a part of the district is not judged."""
    if not whole_district:
        return Status.DISTRICT_ONLY
    return Status.MET if total >= BEDS_TARGET else Status.NOT_MET


def coverage(rows: Iterable[FacilityRow], on: dt.date) -> dict[str, Share]:
    """Facilities (institutions and day-care centres) operating on ``on`` and those of them with
    a medical arrangement in force that day, by township."""
    found: dict[str, list[int]] = {}
    for row in rows:
        if row.operating(on):
            counts = found.setdefault(row.township, [0, 0])
            counts[0] += row.covered(on)
            counts[1] += 1
    return {township: Share(part, whole) for township, (part, whole) in found.items()}


def coverage_status(total: Share) -> Status:
    """Met at 100 %; unknown with no facility operating (nothing to measure)."""
    if total.value is None:
        return Status.UNKNOWN
    return Status.MET if total.value >= COVERAGE_TARGET else Status.NOT_MET


def counselling(
    points: Iterable[PointRow], townships: Sequence[str], district: str | None, on: dt.date
) -> dict[str, bool]:
    """For each service unit — the marriage registry (keyed by ``district``; None: not in the
    user's jurisdiction) and each of ``townships`` — whether counselling runs there on ``on``."""
    running = [p for p in points if p.running(on)]
    units: dict[str, bool] = {}
    if district is not None:
        units[district] = any(p.registry for p in running)
    for township in townships:
        units[township] = any(not p.registry and p.division == township for p in running)
    return units


def total(shares: Iterable[Share]) -> Share:
    """The sum of shares (parts and wholes added)."""
    part = whole = 0
    for share in shares:
        part, whole = part + share.part, whole + share.whole
    return Share(part, whole)


ORPHAN_ALLOWANCE = "child_welfare.allowance"


@dataclass(frozen=True)
class OrphanLink:
    """The orphan allowance against the (urban) dibao standard on a day. Money is integer fen a
    person a month (None: the parameters do not know it); ``changed_on`` is the day the dibao
    standard in force took effect (its last change), ``before`` the orphan allowance the day
    before it, ``since`` the day the allowance in force took effect."""

    allowance: int | None
    standard: int | None
    ratio: Fraction | None
    changed_on: dt.date
    before: int | None
    since: dt.date

    @property
    def status(self) -> Status:
        """Met when the allowance is higher than on the eve of the last standard change ("孤儿
        养育标准随城市低保标准调整逐步提高"); unknown when either value is unknown."""
        if self.allowance is None or self.before is None:
            return Status.UNKNOWN
        return Status.MET if self.allowance > self.before else Status.NOT_MET


def orphan_link(system: RuleSystem, on: dt.date) -> OrphanLink:
    """The orphan allowance and the dibao standard in force on ``on`` (``linked_standards``), and
    whether the allowance moved with the standard's last change.

    Raises:
        ParameterNotDefinedError: ``on`` precedes the parameters' first values.
    """
    orphan = next(s for s in linked_standards(system, on) if s.key == ORPHAN_ALLOWANCE)
    standard = system.parameters[DIBAO_STANDARD].at(on)
    value = standard.value
    urban = _fen(value.get("urban")) if isinstance(value, Mapping) else _fen(value)
    allowance = system.parameters[ORPHAN_ALLOWANCE]
    try:
        before = _fen(allowance.at(standard.start - dt.timedelta(days=1)).value)
    except ParameterNotDefinedError:
        before = None
    return OrphanLink(
        orphan.value, urban, orphan.ratio, standard.start, before, allowance.at(on).start
    )


def _fen(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
