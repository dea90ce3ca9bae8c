"""标准调整 as a case of the simulation pipeline: each entitlement's decision from the simulation
equals the entitlement assessment's, and a run keeps the simulation's counts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import polars as pl
import pytest

from jiuzhu.batch.pipelines.simulate import before_change
from jiuzhu.rules import load_system
from jiuzhu.web.accounts.models import User
from jiuzhu.web.entitlements.actions import standard_change_runs
from jiuzhu.web.entitlements.assessment import program_amounts, without_persons
from jiuzhu.web.entitlements.standard_change import (
    entitlement_decisions,
    recompute,
    simulate_households,
)
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household, Membership
from tests.web.entitlements.conftest import dibao_households, make_entitlement

EFFECTIVE = dt.date(2025, 9, 1)


def raised_system() -> Any:
    """Tianjin's rules with the 2025-09-01 dibao standard raised to 1,100 yuan."""
    system = load_system("tianjin")
    tree = system.parameters.with_value(
        "dibao.standard", EFFECTIVE, {"urban": 110_000, "rural": 110_000}
    )
    return dataclasses.replace(system, parameters=tree)


def interesting_households(system: Any) -> list[int]:
    """Ten dibao households, ten with a tekun person and ten others."""
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    frames = without_persons(engine_frames(system, ids, EFFECTIVE))
    result = system.simulate(
        frames["household"],
        frames["person"],
        frames["obligor"],
        ["dibao_eligible", "tekun_eligible"],
    )
    dibao = result.households.filter(pl.col("dibao_eligible").fill_null(False))["household_id"]
    tekun_persons = result.persons.filter(pl.col("tekun_eligible").fill_null(False))["person_id"]
    tekun = frames["person"].filter(pl.col("person_id").is_in(tekun_persons.implode()))
    chosen = [*dibao.to_list()[:10], *tekun["household_id"].unique().sort().to_list()[:10]]
    return [*dict.fromkeys([*chosen, *ids[:10]])]


def entitlement_frame(system: Any) -> pl.DataFrame:
    """Entitlements of every program over some households: dibao, near-dibao (half of them the
    single-person unit's choice), tekun for every member, and tekun for a person of another
    household (not a member: not eligible)."""
    households = list(
        Household.objects.filter(pk__in=interesting_households(system))
        .order_by("pk")
        .values_list("pk", "division_code")
    )
    members = list(
        Membership.objects.filter(
            household_id__in=[h for h, _d in households], valid_to__isnull=True
        ).values_list("household_id", "person_id")
    )
    rows: list[tuple[str, int, int | None, bool]] = []
    for index, (household, _division) in enumerate(households):
        rows.append(("dibao", household, None, False))
        rows.append(("near_dibao", household, None, index % 2 == 0))
    rows += [("tekun", household, person, False) for household, person in members]
    rows.append(("tekun", households[0][0], members[-1][1], False))
    divisions = dict(households)
    return pl.DataFrame(
        [
            (number, program, household, person, single, divisions[household])
            for number, (program, household, person, single) in enumerate(rows, start=1)
        ],
        schema={
            "entitlement_id": pl.Int64,
            "program": pl.String,
            "household_id": pl.Int64,
            "person_id": pl.Int64,
            "single_person": pl.Boolean,
            "division_code": pl.String,
        },
        orient="row",
    )


@pytest.mark.django_db
def test_each_entitlement_takes_the_decision_the_assessment_gives(
    users: dict[str, User],
) -> None:
    system = raised_system()
    frame = entitlement_frame(system)
    columns = ["entitlement_id", "program", "household_id", "person_id", "single_person"]
    expected = program_amounts(system, frame.select(columns), EFFECTIVE)
    simulation, invalid = simulate_households(
        before_change(system, "dibao.standard", EFFECTIVE), system, frame, EFFECTIVE
    )
    assert simulation is not None
    got = entitlement_decisions(
        frame.select(columns), simulation.rows, simulation.households, invalid
    )
    compared = ["entitlement_id", "eligible", "amount", "unit_members"]
    assert got.select(compared).equals(expected.select(compared))
    assert got["eligible"].drop_nulls().any()
    assert got.filter(pl.col("program") == "tekun")["eligible"].drop_nulls().any()
    dibao = simulation.rows.filter(pl.col("program") == "dibao")
    assert (dibao["difference"].drop_nulls() > 0).any()


@pytest.mark.django_db
def test_a_run_keeps_the_simulations_counts_per_township_and_program(
    users: dict[str, User],
) -> None:
    rows = dibao_households("", EFFECTIVE).sort("household_id").rows(named=True)[:3]
    for row in rows:
        make_entitlement(row["household_id"], amount=row["dibao_amount"], start_month="2025-06")
    result = recompute(
        "2025-09",
        system=raised_system(),
        baseline=before_change(raised_system(), "dibao.standard", EFFECTIVE),
    )
    assert result.simulation is not None
    assert result.simulation.rows.filter(pl.col("program") == "dibao").height == 3
    run = standard_change_runs.start_standard_change(
        users["officer"],
        parameter_path="dibao.standard",
        effective_month="2025-09",
        system=raised_system(),
    )
    assert run.totals
    for total in run.totals:
        assert total["newly_eligible"] == 0
        assert total["losing_eligibility"] == 0


@pytest.mark.django_db
def test_nothing_to_recompute_gives_an_empty_result(users: dict[str, User]) -> None:
    result = recompute("2025-09", system=raised_system())
    assert result.rows.is_empty()
    assert result.simulation is None
