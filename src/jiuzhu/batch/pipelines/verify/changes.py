"""Which verified values a verification writes to the registry, and which it removes.

``value_changes`` compares the values ``derive`` found with the verified values the registry
already holds (from an earlier run) and returns one ``ValueChange`` per value to create, update
or delete. A verified value is written when it is above zero or there is a declaration (or an
earlier verified value) for it to correct; an earlier verified value that the source's current
delivery no longer supports with any record is removed (a verified value is derived only from
records found, 《最低生活保障审核确认办法》（民发〔2021〕57号）第十七条). Amounts are fen: monthly
for incomes, a total for monetary assets.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from jiuzhu.batch.pipelines.verify.common import Findings, Verified


@dataclass(frozen=True)
class ValueChange:
    """A verified value to write: created (``before`` None), updated, or deleted (``after``
    None). ``component`` is the income component, None for the person's monetary assets."""

    person_id: int
    component: str | None
    before: Verified | None
    after: Verified | None

    @property
    def key(self) -> str:
        """The audit's key: ``income:<person>:<component>`` or ``asset:<person>``."""
        if self.component is None:
            return f"asset:{self.person_id}"
        return f"income:{self.person_id}:{self.component}"


def value_changes(
    findings: Findings,
    declared_incomes: Mapping[tuple[int, str], int],
    verified_incomes: Mapping[tuple[int, str], Verified],
    declared_assets: Mapping[int, int],
    verified_assets: Mapping[int, Verified],
) -> list[ValueChange]:
    """The changes to the registry's verified values: incomes first (in the order ``derive``
    found them, then the removals by person and component), then monetary assets likewise.

    Args:
        findings: what ``derive`` concluded.
        declared_incomes: (person, component) → the declared monthly amount (fen).
        verified_incomes: (person, component) → the verified value the registry holds.
        declared_assets: person → the declared monetary assets (fen).
        verified_assets: person → the verified monetary assets the registry holds.
    """
    return [
        *_income_changes(findings, declared_incomes, verified_incomes),
        *_asset_changes(findings, declared_assets, verified_assets),
    ]


def _income_changes(
    findings: Findings,
    declared: Mapping[tuple[int, str], int],
    existing: Mapping[tuple[int, str], Verified],
) -> Iterator[ValueChange]:
    for (person_id, component), verified in findings.incomes.items():
        old = existing.get((person_id, component))
        if old is not None:
            if old != verified:
                yield ValueChange(person_id, component, old, verified)
        elif verified.value > 0 or (person_id, component) in declared:
            yield ValueChange(person_id, component, None, verified)
    for person_id, component in sorted(findings.unsupported_incomes):
        old = existing.get((person_id, component))
        if old is not None and (person_id, component) not in findings.incomes:
            yield ValueChange(person_id, component, old, None)


def _asset_changes(
    findings: Findings, declared: Mapping[int, int], existing: Mapping[int, Verified]
) -> Iterator[ValueChange]:
    for person_id, verified in findings.assets.items():
        old = existing.get(person_id)
        if old is not None:
            if old != verified:
                yield ValueChange(person_id, None, old, verified)
        elif verified.value > 0 or person_id in declared:
            yield ValueChange(person_id, None, None, verified)
    for person_id in sorted(findings.unsupported_assets - set(findings.assets)):
        old = existing.get(person_id)
        if old is not None:
            yield ValueChange(person_id, None, old, None)
