"""Policy delivery conditions (``signals/policy_delivery.yaml``): entitlements not received —
a household program paid monthly (dibao, near-dibao: the rules' registry) the rules engine finds
eligible, deductions underpaid, and the disability
living, severe-disability care, orphan and children-in-hardship allowances missing."""

from __future__ import annotations

from typing import Any, cast

import polars as pl

from jiuzhu.batch.pipelines.discover.catalogue import Signal, Threshold
from jiuzhu.batch.pipelines.discover.conditions.common import (
    CARE_ALLOWANCE_GRADES,
    DISABILITY_EN,
    DISABILITY_ZH,
    PARENT_GENERATION,
    D,
    S,
    condition,
    month_settlements,
    orphan_allowance_receivers,
    receivers,
    register_labels,
    serious_disability_lead,
    text,
    threshold,
    yuan,
)
from jiuzhu.batch.pipelines.discover.context import Context
from jiuzhu.batch.pipelines.discover.engine import engine_results, unclaimed_programs
from jiuzhu.rules import load_system, registry
from jiuzhu.rules.ages import adult_age
from jiuzhu.rules.programs import children_in_hardship
from jiuzhu.rules.programs.codes import HARDSHIP_CHILD_CATEGORY


@condition("UNCLAIMED_ASSISTANCE")
def unclaimed_assistance(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A monitored household (no member receiving) that the rules engine finds eligible for one
    of the registry's household programs paid monthly: the first in the registry's order (dibao,
    or else near-dibao), on the month's last day."""
    households, _ = engine_results(ctx)
    programs = unclaimed_programs()
    eligible = [pl.col(p.status).fill_null(False) for p in programs]
    found = households.join(
        ctx.register_households.filter(~pl.col("receiving")), on="household_id", how="inner"
    )
    found = (
        found.filter(pl.any_horizontal(eligible))
        .with_columns(
            _first(eligible, [pl.lit(p.name) for p in programs]).alias("program"),
            _first(eligible, [pl.col(p.amount or "") for p in programs]).alias("amount"),
        )
        .sort("household_id")
    )
    chosen = [pl.col("program") == p.name for p in programs]
    has_amount = pl.col("amount").fill_null(0) > 0
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.col("program").alias("episode"),
        pl.struct(
            "program",
            pl.col("amount").alias("engine_amount"),
            *(p.status for p in programs),
            "reason",
        ).alias("record"),
        pl.col("reason").fill_null(""),
        _first(chosen, [pl.lit(p.short_label or p.label) for p in programs]).alias("program"),
        _first(chosen, [pl.lit(p.short_label_en or p.label_en) for p in programs]).alias(
            "program_en"
        ),
        pl.when(has_amount)
        .then(pl.concat_str([pl.lit("（测算"), yuan(pl.col("amount")), pl.lit("元/月）")]))
        .otherwise(pl.lit(""))
        .alias("amount"),
        pl.when(has_amount)
        .then(pl.concat_str([pl.lit(" ("), yuan(pl.col("amount")), pl.lit(" yuan a month)")]))
        .otherwise(pl.lit(""))
        .alias("amount_en"),
    )


def _first(conditions: list[pl.Expr], values: list[pl.Expr]) -> pl.Expr:
    """The value of the first condition that holds (null if none)."""
    chain: Any = pl.when(conditions[0]).then(values[0])
    for holds, value in zip(conditions[1:], values[1:], strict=True):
        # Polars types each link of a when/then chain differently.
        chain = chain.when(holds).then(value)
    return cast(pl.Expr, chain)


@condition("UNDERPAID_DEDUCTIONS")
def underpaid_deductions(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A household receiving dibao paid less a month than the rules engine's amount (which
    applies the classified income deductions) by more than the tolerance (救不够)."""

    tolerance = th["tolerance"].value
    households, _ = engine_results(ctx)
    dibao_homes = (
        ctx.register.filter(pl.col("receiving") & (pl.col("category") == "dibao"))
        .select("household_id")
        .unique()
    )
    found = (
        households.join(dibao_homes, on="household_id", how="semi")
        .join(ctx.register_households.select("household_id", "monthly_amount"), on="household_id")
        .filter(
            pl.col("dibao_eligible").fill_null(False)
            & pl.col("monthly_amount").is_not_null()
            & (pl.col("dibao_amount") - pl.col("monthly_amount") > pl.lit(tolerance or 0))
        )
        .sort("household_id")
    )
    gap = pl.col("dibao_amount") - pl.col("monthly_amount")
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.col("dibao_amount").cast(S).alias("episode"),
        pl.struct(
            pl.col("monthly_amount").alias("paid"),
            pl.col("dibao_amount").alias("engine_amount"),
            gap.alias("gap"),
        ).alias("record"),
        yuan(pl.col("monthly_amount")).alias("paid"),
        yuan(pl.col("dibao_amount")).alias("expected"),
        yuan(gap).alias("gap"),
    )


def _register_persons(ctx: Context) -> pl.DataFrame:
    """The register's persons with their registry facts and the household's register facts."""
    people = ctx.people.join(
        ctx.register.select(
            "resident_id",
            pl.col("category").cast(S).alias("person_category"),
            pl.col("receiving").alias("person_receiving"),
            "disability_living_allowance",
            "disability_care_allowance",
            "orphan_allowance",
        ),
        on="resident_id",
        how="inner",
    )
    return people.join(
        ctx.register_households.select("household_id", "receiving", "register_category"),
        on="household_id",
        how="left",
    )


def _disability_columns() -> list[pl.Expr]:
    return [
        text(pl.col("disability_category"), DISABILITY_ZH).alias("disability"),
        text(pl.col("disability_category"), DISABILITY_EN).alias("disability_en"),
        pl.col("disability_grade").cast(S).alias("grade"),
    ]


@condition("DISABILITY_LIVING_MISSING")
def disability_living_missing(
    ctx: Context, signal: Signal, th: dict[str, Threshold]
) -> pl.DataFrame:
    """A disabled person (registry certificate) in a household receiving dibao or tekun, or that
    the rules engine finds eligible for dibao, or a tekun-eligible person, without the living
    allowance (津民发〔2023〕23号; 国发〔2015〕52号). The higher amount goes to a serious
    disability as discovery reads it (``serious_disability_lead``)."""

    households, persons = engine_results(ctx)
    people = (
        _register_persons(ctx)
        .join(households.select("household_id", "dibao_eligible"), on="household_id", how="left")
        .join(persons.select("resident_id", "tekun_eligible"), on="resident_id", how="left")
    )
    poor = (
        (
            pl.col("receiving").fill_null(False)
            & pl.col("register_category").is_in(["dibao", "tekun"])
        )
        | pl.col("dibao_eligible").fill_null(False)
        | pl.col("tekun_eligible").fill_null(False)
    )
    disabled = (pl.col("disability_category").fill_null("none") != "none") & pl.col(
        "disability_grade"
    ).is_not_null()
    found = people.filter(poor & disabled & ~pl.col("disability_living_allowance")).sort(
        "resident_id"
    )
    heavy = serious_disability_lead(pl.col("disability_category"), pl.col("disability_grade"))
    amount = (
        pl.when(heavy).then(threshold(th, "severe_amount")).otherwise(threshold(th, "other_amount"))
    )
    return found.with_columns(amount.alias("amount_fen")).select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.lit("living").alias("episode"),
        pl.struct(
            "disability_category",
            "disability_grade",
            "register_category",
            "dibao_eligible",
            "tekun_eligible",
            pl.col("amount_fen").alias("allowance"),
        ).alias("record"),
        *_disability_columns(),
        pl.when(pl.col("amount_fen").is_null())
        .then(pl.lit("未知"))
        .otherwise(yuan(pl.col("amount_fen")))
        .alias("amount"),
        *register_labels(),
    )


@condition("DISABILITY_CARE_MISSING")
def disability_care_missing(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A person in the register with a certificate of a care-allowance grade (registry:
    ``CARE_ALLOWANCE_GRADES``, 1–2, 国发〔2015〕52号) without the care allowance."""
    people = _register_persons(ctx)
    found = people.filter(
        pl.col("disability_grade").is_in(CARE_ALLOWANCE_GRADES)
        & (pl.col("disability_category").fill_null("none") != "none")
        & ~pl.col("disability_care_allowance")
    ).sort("resident_id")
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.lit("care").alias("episode"),
        pl.struct("disability_category", "disability_grade", "person_category").alias("record"),
        *_disability_columns(),
    )


MEDICAL_AID_CATEGORIES = ("dibao", "tekun", "near_dibao")
"""Register categories whose members medical assistance covers (the rules' categories:
《社会救助暂行办法》第二十八条; the impoverished-by-illness category is decided on application)."""
VISIT_ZH = {"inpatient": "住院", "outpatient": "门诊", "special_outpatient": "门诊特殊病"}
VISIT_EN = {
    "inpatient": "inpatient",
    "outpatient": "outpatient",
    "special_outpatient": "special outpatient",
}


@condition("MEDICAL_AID_UNSETTLED")
def medical_aid_unsettled(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A settlement of the month (the medical-insurance feed) of a person receiving dibao, tekun
    or near-dibao (register) with own costs left and no medical aid paid with it: the one-stop
    settlement missed the aid, so a medical assistance application is due for it."""
    settlements = month_settlements(ctx).filter(
        (pl.col("out_of_pocket") > 0) & (pl.col("assistance_paid").fill_null(0) == 0)
    )
    covered = (
        ctx.register.filter(pl.col("receiving") & pl.col("category").is_in(MEDICAL_AID_CATEGORIES))
        .select("resident_id", pl.col("category").cast(S).alias("register_category"))
        .unique("resident_id", keep="first", maintain_order=True)
    )
    found = ctx.registered(settlements.join(covered, on="resident_id", how="inner")).sort(
        "resident_id", "settled_on"
    )
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.concat_str(
            [pl.col("settled_on").cast(S), pl.col("visit_type"), pl.col("out_of_pocket").cast(S)],
            separator="/",
        ).alias("episode"),
        pl.struct(
            "settled_on",
            "visit_type",
            "total_cost",
            "out_of_pocket",
            pl.col("assistance_paid").fill_null(0),
            "register_category",
        ).alias("record"),
        pl.col("settled_on").cast(S).alias("date"),
        text(pl.col("visit_type"), VISIT_ZH).alias("visit"),
        text(pl.col("visit_type"), VISIT_EN).alias("visit_en"),
        yuan(pl.col("out_of_pocket")).alias("amount"),
        *register_labels(),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


CUSTODY_MINIMUM_DAYS = 183
"""A sentence, detention or rehabilitation counts for a de facto unsupported child when its term
is six months or more (《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）); an unknown term is counted (the visit checks it)."""


def _unable_from_feeds(ctx: Context) -> pl.Series:
    """Resident IDs the feeds show, at the month's end, dead or held in custody for a term of
    six months or more (not released)."""
    deaths = ctx.feed("deaths", {"resident_id": S, "died_on": D}).filter(
        pl.col("died_on") <= pl.lit(ctx.end)
    )
    custody = ctx.feed(
        "custody",
        {"resident_id": S, "started_on": D, "expected_release": D, "released_on": D},
    ).filter(
        (pl.col("started_on") <= pl.lit(ctx.end))
        & (pl.col("released_on").is_null() | (pl.col("released_on") > pl.lit(ctx.end)))
        & (
            pl.col("expected_release").is_null()
            | (
                (pl.col("expected_release") - pl.col("started_on")).dt.total_days()
                >= CUSTODY_MINIMUM_DAYS
            )
        )
    )
    return pl.concat([deaths["resident_id"], custody["resident_id"]]).unique()


@condition("ORPHAN_ALLOWANCE_MISSING")
def orphan_allowance_missing(
    ctx: Context, signal: Signal, th: dict[str, Threshold]
) -> pl.DataFrame:
    """A child under 18 in the register without the orphan allowance who either has no one to
    support them (the rules engine finds the child tekun-eligible: no capacity, no income, no
    able obligor) or whose two parents in the household are each dead or held six months or
    more (the deaths and custody feeds), absent (prison, compulsory drug rehabilitation, declared
    missing), severely disabled or seriously ill (《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）); parents are the applicant and spouse for a child, the children and their spouses for
    a grandchild."""

    _, persons = engine_results(ctx)
    people = ctx.people.with_columns(
        pl.col("resident_id").is_in(_unable_from_feeds(ctx).implode()).alias("held_or_dead")
    )
    unable = (
        pl.col("held_or_dead")
        | pl.col("absence_reason")
        .fill_null("none")
        .is_in(["prison", "compulsory_drug_rehabilitation", "declared_missing"])
        | serious_disability_lead(pl.col("disability_category"), pl.col("disability_grade"))
        | (pl.col("serious_illness").fill_null("none") != "none")
    ).fill_null(False)
    generation = pl.col("relation_group").replace_strict(
        PARENT_GENERATION, default=None, return_dtype=S
    )
    parents = (
        people.with_columns(generation.alias("child_group"), unable.alias("unable"))
        .filter(pl.col("child_group").is_not_null())
        .group_by("household_id", "child_group")
        .agg(pl.len().alias("parents"), pl.col("unable").all().alias("all_unable"))
    )
    children = (
        _register_persons(ctx)
        .filter(
            (pl.col("age") < adult_age(load_system("tianjin").parameters, ctx.end))
            # Paid under any of the person's register entries (the platform's child-welfare
            # entry beside the household's dibao one).
            & ~pl.col("resident_id").is_in(orphan_allowance_receivers(ctx).implode())
        )
        .with_columns(pl.col("relation_group").alias("child_group"))
    )
    children = children.join(parents, on=["household_id", "child_group"], how="left").join(
        persons.select("resident_id", "tekun_eligible"), on="resident_id", how="left"
    )
    # Both parents must be unable (民发〔2019〕62号); a parent elsewhere is not known to be unable.
    de_facto = pl.col("all_unable").fill_null(False) & (pl.col("parents").fill_null(0) >= 2)
    tekun = pl.col("tekun_eligible").fill_null(False)
    found = children.filter(de_facto | tekun).sort("resident_id")
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.lit("orphan").alias("episode"),
        pl.struct(
            "age",
            "tekun_eligible",
            pl.col("parents").fill_null(0).alias("parents_in_household"),
            pl.col("all_unable").alias("parents_all_unable"),
        ).alias("record"),
        pl.when(tekun)
        .then(pl.lit("无人抚养且无生活来源（特困认定条件）"))
        .otherwise(pl.lit("父母均死亡、服刑、羁押、强制戒毒、失联、重残或重病"))
        .alias("situation"),
        pl.when(tekun)
        .then(pl.lit("with no one to support the child and no income"))
        .otherwise(
            pl.lit("both parents dead, in custody, missing, severely disabled or seriously ill")
        )
        .alias("situation_en"),
    )


_HARDSHIP_REASONS = {
    # The rules' reason for each covered situation (国发〔2016〕36号's categories the data show).
    "poor_family": "HARDSHIP_CHILD_POOR_FAMILY",
    "disabled": "HARDSHIP_CHILD_DISABLED",
}


def _hardship_situation(english: bool) -> pl.Expr:
    """The covered situations the rules found (``children_in_hardship_reasons`` bits), in the
    code list's words, joined by 、 (Chinese) or "and"."""
    words = []
    for code in HARDSHIP_CHILD_CATEGORY.codes:
        bit = children_in_hardship.REASONS.bits([_HARDSHIP_REASONS[code.code]])
        word = pl.lit(code.label_en if english else code.label)
        words.append(pl.when((pl.col("children_in_hardship_reasons") & bit) != 0).then(word))
    return pl.concat_str(words, separator=" and " if english else "、", ignore_nulls=True)


@condition("CHILDREN_IN_HARDSHIP_ALLOWANCE_MISSING")
def children_in_hardship_allowance_missing(
    ctx: Context, signal: Signal, th: dict[str, Threshold]
) -> pl.DataFrame:
    """A child in the register whom the rules engine finds eligible for the children-in-hardship
    allowance (``jiuzhu.rules.programs.children_in_hardship``: a minor of a dibao or near-dibao
    household, or a disabled minor, not tekun-eligible; 《国务院关于加强困境儿童保障工作的意见》
    （国发〔2016〕36号）), on the month's last day, and who is paid neither it nor what excludes
    it — the orphan or de facto unsupported child allowance, tekun — under any register entry.

    The alert's record names the program, so that the alert's application is a
    children-in-hardship application for the child."""
    _, persons = engine_results(ctx)
    program = registry.program("children_in_hardship")
    paid = receivers(
        ctx,
        pl.col("children_in_hardship_allowance")
        | pl.col("orphan_allowance")
        | (pl.col("receiving") & (pl.col("category") == "tekun")),
    )
    found = (
        persons.filter(
            pl.col(program.status).fill_null(False)
            & pl.col("resident_id").is_in(ctx.register["resident_id"].implode())
            & ~pl.col("resident_id").is_in(paid.implode())
        )
        .join(ctx.people, on="resident_id", how="inner")
        .join(
            ctx.register_households.select("household_id", "register_category"),
            on="household_id",
            how="left",
        )
        .sort("resident_id")
    )
    amount = pl.col(program.amount or "")
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.lit(program.name).alias("episode"),
        pl.struct(
            pl.lit(program.name).alias("program"),
            "age",
            "disability_category",
            "disability_grade",
            "register_category",
            amount.alias("engine_amount"),
        ).alias("record"),
        _hardship_situation(english=False).alias("situation"),
        _hardship_situation(english=True).alias("situation_en"),
        pl.when(amount.is_null()).then(pl.lit("未知")).otherwise(yuan(amount)).alias("amount"),
    )
