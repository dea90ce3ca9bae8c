"""The rules engine over the register's households, for the eligible-but-not-receiving checks.

The households of the register (receiving or monitored) are assessed with ``jiuzhu.rules`` on the
discovery month's last day, once per run; the conditions read the results.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.batch.pipelines.discover.context import Context, DiscoveryInputError
from jiuzhu.rules import load_system, registry
from jiuzhu.rules.engine import InvalidInputError
from jiuzhu.rules.engine.entities import HOUSEHOLD, PERSON
from jiuzhu.rules.engine.formula import DATE_VARIABLE
from jiuzhu.rules.registry import Program


def unclaimed_programs() -> tuple[Program, ...]:
    """The programs a household claims for itself and is paid monthly (dibao, then near-dibao),
    in the registry's order: the eligible-but-not-receiving check reports the first one the
    rules engine finds the household eligible for."""
    return tuple(
        p
        for p in registry.programs()
        if p.entity == HOUSEHOLD and p.monthly and not p.option and p.amount is not None
    )


def person_programs() -> tuple[Program, ...]:
    """The programs decided per person and paid monthly (tekun, child welfare, children in
    hardship), in the registry's order: the person-level eligible-but-not-receiving checks read
    their status, amount and reasons."""
    return tuple(
        p for p in registry.programs() if p.entity == PERSON and p.monthly and p.amount is not None
    )


def _person_columns() -> dict[str, pl.DataType]:
    """The persons frame's columns: ``resident_id`` and each person program's status, amount
    and reasons."""
    columns: dict[str, pl.DataType] = {"resident_id": pl.String()}
    for p in person_programs():
        columns |= {p.status: pl.Boolean(), p.amount or "": pl.Int64(), p.reasons: pl.Int64()}
    return columns


def engine_results(ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(households, persons) of the assessment, keyed by ``household_id`` (String) and
    ``resident_id``: households the status (Boolean, null undetermined) and amount (Int64 fen a
    month) of each of ``unclaimed_programs`` (``dibao_eligible``, ``dibao_amount``,
    ``near_dibao_status``, ``near_dibao_cash``, …); persons the status (Boolean, null
    undetermined), amount (Int64 fen a month) and reasons (Int64 bitmask, the program's
    ``ReasonSet``) of each of ``person_programs`` (``tekun_eligible``, ``tekun_amount``,
    ``tekun_reasons``, ``children_in_hardship_eligible``, …).

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
                **{
                    name: dtype
                    for p in unclaimed_programs()
                    for name, dtype in ((p.status, pl.Boolean()), (p.amount or "", pl.Int64()))
                },
            }
        )
        p = pl.DataFrame(schema=_person_columns())
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
            *(
                column
                for p in unclaimed_programs()
                for column in (pl.col(p.status), pl.col(p.amount or "").cast(pl.Int64))
            ),
        )
        ids_of = persons.select("person_id", pl.col("resident_id").cast(pl.String))
        columns = _person_columns()
        p = (
            result.persons.select(
                "person_id",
                *(pl.col(n).cast(t) for n, t in columns.items() if n != "resident_id"),
            )
            .join(ids_of, on="person_id", how="inner")
            .select(list(columns))
        )
    ctx.cache["engine_households"] = h
    ctx.cache["engine_persons"] = p
    return h, p
