"""The rules engine over the register's households, for the eligible-but-not-receiving checks.

The households of the register (receiving or monitored) are assessed with ``jiuzhu.rules`` on the
discovery month's last day, once per run; the conditions read the results.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.batch.pipelines.discover.context import Context, DiscoveryInputError
from jiuzhu.rules import load_system
from jiuzhu.rules.engine import InvalidInputError
from jiuzhu.rules.engine.formula import DATE_VARIABLE


def engine_results(ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(households, persons) of the assessment, keyed by ``household_id`` (String) and
    ``resident_id``: households ``dibao_eligible`` (Boolean, null undetermined), ``dibao_amount``
    (Int64 fen), ``near_dibao_status`` (Boolean), ``near_dibao_cash`` (Int64 fen); persons
    ``tekun_eligible`` (Boolean), ``tekun_amount`` (Int64 fen).

    Raises:
        DiscoveryInputError: the registry frames are not valid engine input (each issue).
        ParameterNotDefinedError: a month before the rules' coverage (2016-04).
    """
    if "engine_households" in ctx.cache:
        return ctx.cache["engine_households"], ctx.cache["engine_persons"]
    wanted = ctx.register_households.select("household_id")
    raw_h = ctx.raw_households
    key = raw_h["household_id"].dtype
    ids = wanted["household_id"].cast(key, strict=False).drop_nulls()
    households = raw_h.filter(pl.col("household_id").is_in(ids.implode())).with_columns(
        pl.lit(ctx.end).alias(DATE_VARIABLE)
    )
    # People born after the month were not there yet (a past month run again).
    persons = ctx.raw_persons.filter(
        pl.col("household_id").is_in(ids.implode()) & (pl.col("birth_date") <= pl.lit(ctx.end))
    )
    households = households.filter(pl.col("household_id").is_in(persons["household_id"].implode()))
    obligors = None
    if ctx.obligors is not None and "person_id" in persons.columns:
        obligors = ctx.obligors.filter(pl.col("person_id").is_in(persons["person_id"].implode()))
    if households.is_empty():
        h = pl.DataFrame(
            schema={
                "household_id": pl.String(),
                "dibao_eligible": pl.Boolean(),
                "dibao_amount": pl.Int64(),
                "near_dibao_status": pl.Boolean(),
                "near_dibao_cash": pl.Int64(),
            }
        )
        p = pl.DataFrame(
            schema={
                "resident_id": pl.String(),
                "tekun_eligible": pl.Boolean(),
                "tekun_amount": pl.Int64(),
            }
        )
    else:
        system = load_system("tianjin")
        try:
            result = system.simulate(households, persons, obligors)
        except InvalidInputError as exc:
            raise DiscoveryInputError(
                [
                    f"{i.entity} › 第{i.row}行 (row {i.row}) › {i.column}: {i.rule}"
                    for i in exc.issues
                ]
            ) from exc
        h = result.households.select(
            pl.col("household_id").cast(pl.String),
            "dibao_eligible",
            pl.col("dibao_amount").cast(pl.Int64),
            "near_dibao_status",
            pl.col("near_dibao_cash").cast(pl.Int64),
        )
        ids_of = persons.select("person_id", pl.col("resident_id").cast(pl.String))
        p = (
            result.persons.select(
                "person_id", "tekun_eligible", pl.col("tekun_amount").cast(pl.Int64)
            )
            .join(ids_of, on="person_id", how="inner")
            .select("resident_id", "tekun_eligible", "tekun_amount")
        )
    ctx.cache["engine_households"] = h
    ctx.cache["engine_persons"] = p
    return h, p
