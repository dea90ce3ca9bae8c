"""The synthetic low-income register: the decision's schema, deterministic by seed, consistent
with the rules engine's assessment of the district."""

from __future__ import annotations

import datetime as dt

import polars as pl

from jiuzhu.batch.pipelines.discover import REGISTER_SCHEMA
from jiuzhu.rules import load_system
from jiuzhu.synth.population import generate
from jiuzhu.synth.register import REGISTER_COLUMNS, build_register


def test_the_register_is_deterministic_and_follows_the_assessment() -> None:
    district = generate(0.05, 20251015, dt.date(2025, 10, 15))
    register = build_register(district, 7)
    assert REGISTER_COLUMNS == REGISTER_SCHEMA and register.schema == REGISTER_SCHEMA
    assert register.equals(build_register(district, 7))
    assert not register.equals(build_register(district, 8))
    result = load_system("tianjin").simulate(
        district.households, district.persons, district.obligors
    )
    eligible = result.households.filter(pl.col("dibao_eligible").fill_null(False))
    homes = register.with_columns(pl.col("household_id").cast(pl.Int64))
    dibao = homes.filter(pl.col("category") == "dibao")
    # Every dibao recipient household is eligible; about 85 % of the eligible receive.
    assert dibao.join(eligible, on="household_id", how="anti").height == 0
    share = dibao["household_id"].n_unique() / eligible.height
    assert 0.75 < share < 0.95
    # Some are paid less than the engine's amount (the 救不够 check finds them).
    paid = dibao.join(eligible.select("household_id", "dibao_amount"), on="household_id")
    assert 0 < paid.filter(pl.col("monthly_amount") < pl.col("dibao_amount")).height < paid.height
    monitored = homes.filter(pl.col("category") == "monitored")
    assert monitored.height > 0 and not monitored["receiving"].any()
    assert monitored.join(eligible, on="household_id", how="semi").height > 0
