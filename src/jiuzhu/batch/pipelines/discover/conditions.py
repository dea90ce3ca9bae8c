"""One condition per signal code: vectorised Polars over the run's ``Context``.

A condition returns one row per candidate alert with ``resident_id`` (String, null for a
household signal), ``household_id`` (String), ``subject`` and ``episode`` (String: the alert key is
``SIGNAL:subject:episode``), ``record`` (Struct: the source record and values compared, for the
evidence) and a String column for every placeholder of the signal's templates that is not one of
its parameters. Money stays in integer fen until it is shown in a template (yuan).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from jiuzhu.batch.pipelines.discover.catalogue import Signal, Threshold
from jiuzhu.batch.pipelines.discover.context import REGISTER_LABELS, Context
from jiuzhu.feeds.real_estate import USES as PROPERTY_USES
from jiuzhu.feeds.vehicles import TYPES as VEHICLE_TYPES
from jiuzhu.rules.programs.codes import DISABILITY_CATEGORY, SERIOUS_ILLNESS

Condition = Callable[[Context, Signal, dict[str, Threshold]], pl.DataFrame]
CONDITIONS: dict[str, Condition] = {}

S = pl.String()
D = pl.Date()
I64 = pl.Int64()

ILLNESS_ZH = {c.code: c.label for c in SERIOUS_ILLNESS.codes}
ILLNESS_EN = {c.code: c.label_en for c in SERIOUS_ILLNESS.codes}
DISABILITY_ZH = {c.code: c.label for c in DISABILITY_CATEGORY.codes}
DISABILITY_EN = {c.code: c.label_en for c in DISABILITY_CATEGORY.codes}
VEHICLE_ZH = {code: spelling for spelling, code in reversed(VEHICLE_TYPES.items())}
USE_ZH = {code: spelling for spelling, code in reversed(PROPERTY_USES.items())}
"""Codes back to the department's first spelling (the feed's normalised codes are English)."""
SEVERE_MENTAL = ("intellectual", "mental")
CUSTODY_ZH = {
    "detention": "被刑事拘留",
    "arrest": "被逮捕羁押",
    "prison": "服刑",
    "compulsory_drug_rehabilitation": "强制隔离戒毒",
}
CUSTODY_EN = {
    "detention": "criminal detention",
    "arrest": "custody after arrest",
    "prison": "prison",
    "compulsory_drug_rehabilitation": "compulsory drug rehabilitation",
}
GROUP_ZH = {"child": "子女", "grandchild": "孙子女"}
GROUP_EN = {"child": "child", "grandchild": "grandchild"}
SCHEME_ZH = {
    "employee_pension_insurance": "城镇职工基本养老保险",
    "residents_pension_insurance": "城乡居民基本养老保险",
    "unemployment_insurance": "失业保险",
    "employee_medical_insurance": "职工基本医疗保险",
}
SCHEME_EN = {
    "employee_pension_insurance": "employee pension insurance",
    "residents_pension_insurance": "residents' pension insurance",
    "unemployment_insurance": "unemployment insurance",
    "employee_medical_insurance": "employee medical insurance",
}


def condition(code: str) -> Callable[[Condition], Condition]:
    def add(function: Condition) -> Condition:
        CONDITIONS[code] = function
        return function

    return add


# --- helpers ------------------------------------------------------------------------------------


def yuan(expr: pl.Expr) -> pl.Expr:
    """Fen as yuan text: ``6000`` or ``6000.50``."""
    whole = (expr // 100).cast(pl.String)
    cents = (expr % 100).cast(pl.String).str.zfill(2)
    return (
        pl.when(expr % 100 == 0).then(whole).otherwise(pl.concat_str([whole, pl.lit("."), cents]))
    )


def text(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    return expr.cast(pl.String).replace_strict(mapping, default=expr.cast(pl.String))


def threshold(th: dict[str, Threshold], name: str) -> pl.Expr:
    """A parameter's value as a literal (null when unknown)."""
    return pl.lit(th[name].value, I64)


def register_labels(column: str = "register_category") -> list[pl.Expr]:
    zh = {k: v[0] for k, v in REGISTER_LABELS.items()}
    en = {k: v[1] for k, v in REGISTER_LABELS.items()}
    return [
        text(pl.col(column), zh).alias("register"),
        text(pl.col(column), en).alias("register_en"),
    ]


def severe(category: pl.Expr, grade: pl.Expr) -> pl.Expr:
    """重残 (spec.md §2.12): grade 1 or 2, or grade 3 or 4 intellectual or mental."""
    heavy = grade.is_in([1, 2]) | (grade.is_in([3, 4]) & category.is_in(SEVERE_MENTAL))
    return heavy.fill_null(False)


def in_register(frame: pl.DataFrame, ctx: Context, receiving_only: bool) -> pl.DataFrame:
    """``frame``'s rows whose household is in the register (receiving, if asked)."""
    homes = ctx.register_households.select(
        "household_id", "receiving", "register_category", "reason"
    )
    if receiving_only:
        homes = homes.filter(pl.col("receiving"))
    return frame.join(homes, on="household_id", how="inner")


# --- discovery ----------------------------------------------------------------------------------


@condition("MED_HIGH_OOP")
def med_high_oop(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """An inpatient stay settled in the month with the patient's own share above the threshold:
    the monitored one for people in the register, the other one for everyone else."""
    stays = ctx.feed(
        "medical_insurance",
        {
            "resident_id": S,
            "settled_on": D,
            "visit_type": S,
            "total_cost": I64,
            "out_of_pocket": I64,
        },
    ).filter(ctx.in_month("settled_on") & (pl.col("visit_type") == "inpatient"))
    stays = ctx.registered(stays)
    monitored = pl.col("resident_id").is_in(ctx.register["resident_id"].implode())
    limit = (
        pl.when(monitored)
        .then(threshold(th, "monitored_threshold"))
        .otherwise(threshold(th, "other_threshold"))
    )
    return (
        stays.with_columns(monitored.alias("monitored"), limit.alias("limit"))
        .filter(pl.col("out_of_pocket") > pl.col("limit"))
        .select(
            "resident_id",
            "household_id",
            pl.col("resident_id").alias("subject"),
            pl.concat_str(
                [pl.col("settled_on").cast(S), pl.col("out_of_pocket").cast(S)], separator="/"
            ).alias("episode"),
            pl.struct(
                "settled_on",
                "visit_type",
                "total_cost",
                "out_of_pocket",
                "monitored",
                pl.col("limit").alias("threshold"),
            ).alias("record"),
            pl.col("settled_on").cast(S).alias("date"),
            yuan(pl.col("out_of_pocket")).alias("amount"),
            yuan(pl.col("limit")).alias("threshold"),
            pl.when(pl.col("monitored"))
            .then(pl.lit("监测对象"))
            .otherwise(pl.lit("其他人员"))
            .alias("group"),
            pl.when(pl.col("monitored"))
            .then(pl.lit("monitored people"))
            .otherwise(pl.lit("other residents"))
            .alias("group_en"),
        )
    )


@condition("SERIOUS_ILLNESS_NEW")
def serious_illness_new(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A settlement in the month naming a listed serious illness the registry does not record for
    the person, or a special-outpatient visit of a person the registry does not mark."""
    rows = ctx.feed(
        "medical_insurance",
        {"resident_id": S, "settled_on": D, "visit_type": S, "diagnosis": S},
    ).filter(
        ctx.in_month("settled_on")
        & (pl.col("diagnosis").is_not_null() | (pl.col("visit_type") == "special_outpatient"))
    )
    rows = ctx.registered(rows, ("serious_illness", "special_outpatient_disease"))
    known_illness = pl.col("diagnosis") == pl.col("serious_illness").fill_null("none")
    known_special = pl.col("special_outpatient_disease").fill_null(False)
    new = pl.when(pl.col("diagnosis").is_not_null()).then(~known_illness).otherwise(~known_special)
    found = rows.filter(new).with_columns(
        pl.col("diagnosis").fill_null("special_outpatient").alias("episode")
    )
    found = found.sort("settled_on", "episode").unique(
        ["resident_id", "episode"], keep="first", maintain_order=True
    )
    visit_zh = {"inpatient": "住院", "outpatient": "门诊", "special_outpatient": "门诊特殊病"}
    visit_en = {
        "inpatient": "inpatient",
        "outpatient": "outpatient",
        "special_outpatient": "special outpatient",
    }
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        "episode",
        pl.struct(
            "settled_on",
            "visit_type",
            "diagnosis",
            pl.col("serious_illness").alias("registry_serious_illness"),
            pl.col("special_outpatient_disease").alias("registry_special_outpatient"),
        ).alias("record"),
        pl.col("settled_on").cast(S).alias("date"),
        pl.when(pl.col("diagnosis").is_null())
        .then(pl.lit("门诊特殊病"))
        .otherwise(text(pl.col("diagnosis"), ILLNESS_ZH))
        .alias("diagnosis"),
        pl.when(pl.col("diagnosis").is_null())
        .then(pl.lit("a special outpatient disease"))
        .otherwise(text(pl.col("diagnosis"), ILLNESS_EN))
        .alias("diagnosis_en"),
        text(pl.col("visit_type"), visit_zh).alias("visit"),
        text(pl.col("visit_type"), visit_en).alias("visit_en"),
    )


def _certificates(ctx: Context) -> pl.DataFrame:
    """Disability certificates issued in the month, with the registry's record of the person."""
    rows = ctx.feed(
        "disability",
        {"resident_id": S, "certificate": S, "category": S, "grade": S, "issued_on": D},
    ).filter(ctx.in_month("issued_on"))
    return ctx.registered(rows, ("disability_category", "disability_grade")).with_columns(
        pl.col("grade").cast(pl.Int8, strict=False)
    )


@condition("DISABILITY_NEW")
def disability_new(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A certificate issued in the month, severe (grade 1–2, or 3–4 intellectual or mental), for
    a person the registry has as not disabled or with a less severe grade (a larger number)."""
    rows = _certificates(ctx)
    before = pl.col("disability_category").fill_null("none")
    upgraded = (
        (before == "none")
        | pl.col("disability_grade").is_null()
        | (pl.col("grade") < pl.col("disability_grade"))
    )
    found = rows.filter(severe(pl.col("category"), pl.col("grade")) & upgraded)
    grade_before = pl.col("disability_grade").cast(S)
    return found.select(
        "resident_id",
        "household_id",
        pl.col("certificate").alias("subject"),
        pl.col("issued_on").cast(S).alias("episode"),
        pl.struct(
            "certificate",
            "category",
            "grade",
            "issued_on",
            pl.col("disability_category").alias("registry_category"),
            pl.col("disability_grade").alias("registry_grade"),
        ).alias("record"),
        pl.col("issued_on").cast(S).alias("date"),
        text(pl.col("category"), DISABILITY_ZH).alias("disability"),
        text(pl.col("category"), DISABILITY_EN).alias("disability_en"),
        pl.col("grade").cast(S).alias("grade"),
        pl.when(before == "none")
        .then(pl.lit("无残疾记录"))
        .otherwise(pl.concat_str([text(before, DISABILITY_ZH), grade_before, pl.lit("级")]))
        .alias("before"),
        pl.when(before == "none")
        .then(pl.lit("not disabled"))
        .otherwise(pl.concat_str([text(before, DISABILITY_EN), pl.lit(" grade "), grade_before]))
        .alias("before_en"),
    )


@condition("MULTI_DISABLED_HOUSEHOLD")
def multi_disabled(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A household not receiving assistance where, from this month (a certificate issued or a
    member reaching the elderly age), two or more members are disabled, or one is disabled and
    another elderly — and this did not hold before the month."""
    elderly_age = th["elderly_age"].value
    if elderly_age is None:
        return _empty()
    new = (
        _certificates(ctx)
        .select("resident_id")
        .unique()
        .with_columns(pl.lit(True).alias("new_cert"))
    )
    triggered_by_age = ctx.people.filter(ctx.reaches_in_month(elderly_age)).select("household_id")
    triggers = pl.concat(
        [ctx.people.join(new, on="resident_id").select("household_id"), triggered_by_age]
    ).unique()
    receiving = ctx.register_households.filter(pl.col("receiving")).select("household_id")
    triggers = triggers.join(receiving, on="household_id", how="anti")
    members = ctx.people.join(triggers, on="household_id", how="semi").join(
        new, on="resident_id", how="left"
    )
    was_disabled = pl.col("disabled_before")
    is_disabled = was_disabled | pl.col("new_cert").fill_null(False)
    members = members.with_columns(
        (pl.col("disability_category").fill_null("none") != "none").alias("disabled_before"),
        # Age at the month's end, and on the day before the month began.
        (pl.col("age") >= elderly_age).alias("elderly_now"),
        ((pl.col("age") >= elderly_age) & ~ctx.reaches_in_month(elderly_age)).alias(
            "elderly_before"
        ),
    ).with_columns(is_disabled.alias("disabled_now"))
    summary = members.group_by("household_id").agg(
        pl.col("disabled_now").sum().alias("disabled"),
        pl.col("disabled_before").sum().alias("disabled_b"),
        (pl.col("elderly_now") & ~pl.col("disabled_now")).sum().alias("elderly_only"),
        (pl.col("elderly_before") & ~pl.col("disabled_before")).sum().alias("elderly_only_b"),
        pl.col("elderly_now").sum().alias("elderly"),
    )
    holds_now = (pl.col("disabled") >= 2) | (
        (pl.col("disabled") >= 1) & (pl.col("elderly_only") >= 1)
    )
    held = (pl.col("disabled_b") >= 2) | (
        (pl.col("disabled_b") >= 1) & (pl.col("elderly_only_b") >= 1)
    )
    found = summary.filter(holds_now & ~held).sort("household_id")
    several = pl.col("disabled") >= 2
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.lit(ctx.month).alias("episode"),
        pl.struct(
            "disabled",
            "elderly",
            pl.col("disabled_b").alias("disabled_before"),
            pl.col("elderly_only_b").alias("elderly_not_disabled_before"),
        ).alias("record"),
        pl.col("disabled").cast(S),
        pl.col("elderly").cast(S),
        pl.when(several).then(pl.lit("一户多残")).otherwise(pl.lit("老残一体")).alias("pattern"),
        pl.when(several)
        .then(pl.lit("several disabled members"))
        .otherwise(pl.lit("elderly and disabled"))
        .alias("pattern_en"),
    )


# --- needs --------------------------------------------------------------------------------------


@condition("UNEMPLOYMENT_REGISTERED")
def unemployment_registered(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a household in the register registered as unemployed in the month."""
    rows = ctx.feed("unemployment", {"resident_id": S, "registered_on": D, "status": S}).filter(
        ctx.in_month("registered_on") & (pl.col("status") == "registered")
    )
    rows = in_register(ctx.registered(rows), ctx, receiving_only=False)
    return rows.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("registered_on").cast(S).alias("episode"),
        pl.struct("registered_on", "status").alias("record"),
        pl.col("registered_on").cast(S).alias("date"),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


@condition("CONTRIBUTIONS_STOPPED")
def contributions_stopped(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a household in the register who contributed to a scheme in the month before
    the feed's latest period (up to the discovery month) and not in the latest period."""
    rows = ctx.feed(
        "social_insurance",
        {"resident_id": S, "scheme": S, "period": S, "contribution": I64},
    ).filter((pl.col("period") <= ctx.month) & (pl.col("contribution") > 0))
    if rows.is_empty():
        return _empty()
    latest = rows["period"].max()
    assert isinstance(latest, str)
    year, number = int(latest[:4]), int(latest[5:7])
    previous = f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
    paid_before = rows.filter(pl.col("period") == previous)
    paid_now = rows.filter(pl.col("period") == latest).select("resident_id", "scheme")
    stopped = paid_before.join(paid_now, on=["resident_id", "scheme"], how="anti")
    stopped = in_register(ctx.registered(stopped), ctx, receiving_only=False)
    stopped = stopped.sort("resident_id", "scheme").unique(
        "resident_id", keep="first", maintain_order=True
    )
    return stopped.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.lit(latest).alias("episode"),
        pl.struct(
            "scheme",
            pl.lit(previous).alias("paid_period"),
            "contribution",
            pl.lit(latest).alias("unpaid_period"),
        ).alias("record"),
        pl.lit(previous).alias("previous"),
        pl.lit(latest).alias("latest"),
        text(pl.col("scheme"), SCHEME_ZH).alias("scheme"),
        text(pl.col("scheme"), SCHEME_EN).alias("scheme_en"),
        yuan(pl.col("contribution")).alias("contribution"),
    )


def _events(ctx: Context) -> pl.DataFrame:
    """Deaths and custody starts in the month: ``resident_id``, ``event`` (``death`` or the
    custody kind), ``date``."""
    deaths = ctx.feed("deaths", {"resident_id": S, "died_on": D}).filter(ctx.in_month("died_on"))
    custody = ctx.feed(
        "custody", {"resident_id": S, "kind": S, "started_on": D, "institution": S}
    ).filter(ctx.in_month("started_on"))
    return pl.concat(
        [
            deaths.select(
                "resident_id", pl.lit("death").alias("event"), pl.col("died_on").alias("date")
            ),
            custody.select(
                "resident_id", pl.col("kind").alias("event"), pl.col("started_on").alias("date")
            ),
        ]
    )


@condition("CHILD_LOST_PARENT")
def child_lost_parent(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A child under 18 whose parent in the household died or was taken into custody in the
    month: parents are the applicant and spouse for the applicant's children, and the children
    and their spouses for the grandchildren (GB/T 4761 relation groups)."""
    parents = (
        ctx.registered(_events(ctx), ("relation_group",))
        .with_columns(
            pl.col("relation_group")
            .replace_strict(
                {
                    "self": "child",
                    "spouse": "child",
                    "child": "grandchild",
                    "child_in_law": "grandchild",
                },
                default=None,
                return_dtype=S,
            )
            .alias("child_group")
        )
        .filter(pl.col("child_group").is_not_null())
    )
    children = ctx.people.filter(
        (pl.col("age") < 18) & pl.col("relation_group").is_in(["child", "grandchild"])
    )
    found = (
        parents.rename({"resident_id": "parent_id"})
        .join(
            children.select(
                "resident_id", "household_id", pl.col("relation_group").alias("child_group")
            ),
            on=["household_id", "child_group"],
            how="inner",
        )
        .sort("resident_id", "parent_id", "date")
    )
    found = found.unique(["resident_id", "parent_id"], keep="first", maintain_order=True)
    death = pl.col("event") == "death"
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("parent_id").alias("episode"),
        pl.struct("parent_id", "event", "date", "child_group").alias("record"),
        pl.when(death)
        .then(pl.lit("父亲或母亲死亡"))
        .otherwise(pl.concat_str([pl.lit("父亲或母亲"), text(pl.col("event"), CUSTODY_ZH)]))
        .alias("parent_event"),
        pl.when(death)
        .then(pl.lit("A parent died"))
        .otherwise(pl.concat_str([pl.lit("A parent is in "), text(pl.col("event"), CUSTODY_EN)]))
        .alias("parent_event_en"),
        pl.col("date").cast(S),
        text(pl.col("child_group"), GROUP_ZH).alias("relation"),
        text(pl.col("child_group"), GROUP_EN).alias("relation_en"),
    )


# --- dynamic management -------------------------------------------------------------------------


@condition("MEMBER_DIED")
def member_died(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a receiving household died in the month (adverse: a verification task)."""
    rows = ctx.feed("deaths", {"resident_id": S, "died_on": D}).filter(ctx.in_month("died_on"))
    rows = in_register(ctx.registered(rows), ctx, receiving_only=True)
    return rows.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("died_on").cast(S).alias("episode"),
        pl.struct("died_on", "register_category").alias("record"),
        pl.col("died_on").cast(S).alias("date"),
        *register_labels(),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


@condition("MEMBER_IN_CUSTODY")
def member_in_custody(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a receiving household taken into custody in the month (adverse)."""
    rows = ctx.feed(
        "custody",
        {"resident_id": S, "kind": S, "institution": S, "started_on": D, "expected_release": D},
    ).filter(ctx.in_month("started_on"))
    rows = in_register(ctx.registered(rows), ctx, receiving_only=True)
    return rows.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("started_on").cast(S).alias("episode"),
        pl.struct(
            "kind", "institution", "started_on", "expected_release", "register_category"
        ).alias("record"),
        pl.col("started_on").cast(S).alias("date"),
        text(pl.col("kind"), CUSTODY_ZH).alias("custody"),
        text(pl.col("kind"), CUSTODY_EN).alias("custody_en"),
        pl.col("institution").fill_null("").alias("authority"),
        *register_labels(),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


@condition("AGE_MILESTONE")
def age_milestone(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A person receiving (register) whose birthday in the month makes them 16, 18 or 60 (a
    29 February birth in a common year: the day ``jiuzhu.rules.ages`` gives)."""
    ages = {name: th[name].value for name in ("work_age", "adult_age", "elderly_age")}
    meaning_zh = {
        "work_age": "进入劳动年龄，需复核劳动能力与收入",
        "adult_age": "成年，需复核特困、孤儿身份及抚养关系",
        "elderly_age": "进入老年，需复核劳动能力和分类施保",
    }
    meaning_en = {
        "work_age": "working age begins; review capacity to work and income",
        "adult_age": "adulthood; review tekun or orphan status and support",
        "elderly_age": "old age begins; review capacity to work and classified assistance",
    }
    receiving = ctx.register.filter(pl.col("receiving")).select("resident_id").unique()
    # The only age a person can reach in the month is the one of this calendar year; whether
    # the anniversary falls in the month follows the rules' 29 February convention.
    people = (
        ctx.people.join(receiving, on="resident_id", how="semi")
        .with_columns(
            (pl.lit(ctx.start.year) - pl.col("birth_date").dt.year().cast(pl.Int32)).alias("turns")
        )
        .filter(ctx.reaches_in_month(pl.col("turns")))
    )
    known = {k: v for k, v in ages.items() if v is not None}
    name = pl.lit(None, S)
    for key, value in known.items():
        name = pl.when(pl.col("turns") == value).then(pl.lit(key)).otherwise(name)
    found = people.with_columns(name.alias("milestone")).filter(pl.col("milestone").is_not_null())
    birthday = ctx.birthday(pl.col("turns"))
    return found.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.col("turns").cast(S).alias("episode"),
        pl.struct("birth_date", "turns", "milestone").alias("record"),
        birthday.cast(S).alias("date"),
        pl.col("turns").cast(S).alias("age"),
        text(pl.col("milestone"), meaning_zh).alias("meaning"),
        text(pl.col("milestone"), meaning_en).alias("meaning_en"),
    )


@condition("RIGID_EXPIRING")
def rigid_expiring(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A rigid-expenditure determination that ends from the month's first day to the end of the
    month ``lead_months`` later."""
    lead = th["lead_months"].value or 0
    until = pl.lit(ctx.end).dt.offset_by(f"{lead}mo").dt.month_end()
    found = ctx.register_households.filter(
        pl.col("rigid_valid_until").is_between(pl.lit(ctx.start), until)
    ).sort("household_id")
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.col("rigid_valid_until").cast(S).alias("episode"),
        pl.struct("rigid_valid_until", "register_category").alias("record"),
        pl.col("rigid_valid_until").cast(S).alias("date"),
    )


@condition("REVIEW_DUE")
def review_due(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A receiving household whose periodic review falls in the month."""
    found = ctx.register_households.filter(pl.col("receiving") & ctx.in_month("review_due")).sort(
        "household_id"
    )
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.col("review_due").cast(S).alias("episode"),
        pl.struct("review_due", "register_category").alias("record"),
        pl.col("review_due").cast(S).alias("date"),
        *register_labels(),
    )


@condition("ASSET_REGISTERED")
def asset_registered(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A member of a receiving household registered in the month a vehicle (not a disability
    vehicle, not deregistered), a property, or a business still active (adverse)."""
    vehicles = (
        ctx.feed(
            "vehicles",
            {
                "resident_id": S,
                "plate": S,
                "vehicle_type": S,
                "use": S,
                "first_registered": D,
                "deregistered": D,
            },
        )
        .filter(
            ctx.in_month("first_registered")
            & (pl.col("use") != "disability")
            & pl.col("deregistered").is_null()
        )
        .select(
            "resident_id",
            pl.lit("vehicle").alias("kind"),
            pl.col("plate").alias("reference"),
            pl.col("first_registered").alias("date"),
            pl.concat_str(
                [pl.col("plate"), text(pl.col("vehicle_type"), VEHICLE_ZH)], separator=" "
            ).alias("detail"),
        )
    )
    homes = (
        ctx.feed(
            "real_estate",
            {"resident_id": S, "certificate": S, "use": S, "floor_area": I64, "registered_on": D},
        )
        .filter(ctx.in_month("registered_on"))
        .select(
            "resident_id",
            pl.lit("property").alias("kind"),
            pl.col("certificate").alias("reference"),
            pl.col("registered_on").alias("date"),
            pl.concat_str(
                [
                    pl.col("certificate"),
                    text(pl.col("use"), USE_ZH),
                    pl.concat_str([yuan(pl.col("floor_area")), pl.lit("m²")]),
                ],
                separator=" ",
            ).alias("detail"),
        )
    )
    businesses = (
        ctx.feed(
            "market_entities",
            {
                "resident_id": S,
                "credit_code": S,
                "entity_name": S,
                "established_on": D,
                "status": S,
            },
        )
        .filter(ctx.in_month("established_on") & (pl.col("status") == "active"))
        .select(
            "resident_id",
            pl.lit("business").alias("kind"),
            pl.col("credit_code").alias("reference"),
            pl.col("established_on").alias("date"),
            pl.concat_str([pl.col("entity_name"), pl.col("credit_code")], separator=" ").alias(
                "detail"
            ),
        )
    )
    rows = in_register(
        ctx.registered(pl.concat([vehicles, homes, businesses])), ctx, receiving_only=True
    )
    asset_zh = {"vehicle": "机动车", "property": "不动产", "business": "市场主体"}
    asset_en = {"vehicle": "a vehicle", "property": "a property", "business": "a business"}
    return rows.select(
        "resident_id",
        "household_id",
        pl.col("resident_id").alias("subject"),
        pl.concat_str([pl.col("kind"), pl.col("reference")], separator="/").alias("episode"),
        pl.struct("kind", "reference", "date", "detail", "register_category").alias("record"),
        pl.col("date").cast(S),
        text(pl.col("kind"), asset_zh).alias("asset"),
        text(pl.col("kind"), asset_en).alias("asset_en"),
        pl.col("detail").fill_null(""),
    ).unique(["subject", "episode"], keep="first", maintain_order=True)


# --- policy delivery (the rules engine) ---------------------------------------------------------


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "resident_id": S,
            "household_id": S,
            "subject": S,
            "episode": S,
            "record": pl.Struct({"none": pl.Boolean()}),
        }
    )


@condition("UNCLAIMED_ASSISTANCE")
def unclaimed_assistance(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A monitored household (no member receiving) that the rules engine finds eligible for
    dibao, or else for near-dibao, on the month's last day."""
    from jiuzhu.batch.pipelines.discover.engine import engine_results  # noqa: PLC0415

    households, _ = engine_results(ctx)
    found = households.join(
        ctx.register_households.filter(~pl.col("receiving")), on="household_id", how="inner"
    )
    dibao = pl.col("dibao_eligible").fill_null(False)
    near = pl.col("near_dibao_status").fill_null(False)
    found = (
        found.filter(dibao | near)
        .with_columns(
            pl.when(dibao).then(pl.lit("dibao")).otherwise(pl.lit("near_dibao")).alias("program"),
            pl.when(dibao)
            .then(pl.col("dibao_amount"))
            .otherwise(pl.col("near_dibao_cash"))
            .alias("amount"),
        )
        .sort("household_id")
    )
    has_amount = pl.col("amount").fill_null(0) > 0
    return found.select(
        pl.lit(None, S).alias("resident_id"),
        "household_id",
        pl.col("household_id").alias("subject"),
        pl.col("program").alias("episode"),
        pl.struct(
            "program",
            pl.col("amount").alias("engine_amount"),
            "dibao_eligible",
            "near_dibao_status",
            "reason",
        ).alias("record"),
        pl.col("reason").fill_null(""),
        pl.when(pl.col("program") == "dibao")
        .then(pl.lit("低保"))
        .otherwise(pl.lit("低保边缘"))
        .alias("program"),
        pl.when(pl.col("program") == "dibao")
        .then(pl.lit("dibao"))
        .otherwise(pl.lit("near-dibao"))
        .alias("program_en"),
        pl.when(has_amount)
        .then(pl.concat_str([pl.lit("（测算"), yuan(pl.col("amount")), pl.lit("元/月）")]))
        .otherwise(pl.lit(""))
        .alias("amount"),
        pl.when(has_amount)
        .then(pl.concat_str([pl.lit(" ("), yuan(pl.col("amount")), pl.lit(" yuan a month)")]))
        .otherwise(pl.lit(""))
        .alias("amount_en"),
    )


@condition("UNDERPAID_DEDUCTIONS")
def underpaid_deductions(ctx: Context, signal: Signal, th: dict[str, Threshold]) -> pl.DataFrame:
    """A household receiving dibao paid less a month than the rules engine's amount (which
    applies the classified income deductions) by more than the tolerance (救不够)."""
    from jiuzhu.batch.pipelines.discover.engine import engine_results  # noqa: PLC0415

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
    allowance (addendum decision 10)."""
    from jiuzhu.batch.pipelines.discover.engine import engine_results  # noqa: PLC0415

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
    heavy = severe(pl.col("disability_category"), pl.col("disability_grade"))
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
    """A person in the register with a grade 1 or 2 certificate (registry) without the care
    allowance (addendum decision 10: grades 1–2)."""
    people = _register_persons(ctx)
    found = people.filter(
        pl.col("disability_grade").is_in([1, 2])
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


CUSTODY_MINIMUM_DAYS = 183
"""A sentence, detention or rehabilitation counts for a de facto unsupported child when its term
is six months or more (spec.md §2.12 CH-2); an unknown term is counted (the visit checks it)."""


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
    missing), severely disabled or seriously ill (spec.md §2.12 CH-2 (a), (b)); parents are the applicant and spouse for a child, the children and their spouses for
    a grandchild."""
    from jiuzhu.batch.pipelines.discover.engine import engine_results  # noqa: PLC0415

    _, persons = engine_results(ctx)
    people = ctx.people.with_columns(
        pl.col("resident_id").is_in(_unable_from_feeds(ctx).implode()).alias("held_or_dead")
    )
    unable = (
        pl.col("held_or_dead")
        | pl.col("absence_reason")
        .fill_null("none")
        .is_in(["prison", "compulsory_drug_rehabilitation", "declared_missing"])
        | severe(pl.col("disability_category"), pl.col("disability_grade"))
        | (pl.col("serious_illness").fill_null("none") != "none")
    ).fill_null(False)
    generation = pl.col("relation_group").replace_strict(
        {"self": "child", "spouse": "child", "child": "grandchild", "child_in_law": "grandchild"},
        default=None,
        return_dtype=S,
    )
    parents = (
        people.with_columns(generation.alias("child_group"), unable.alias("unable"))
        .filter(pl.col("child_group").is_not_null())
        .group_by("household_id", "child_group")
        .agg(pl.len().alias("parents"), pl.col("unable").all().alias("all_unable"))
    )
    children = (
        _register_persons(ctx)
        .filter((pl.col("age") < 18) & ~pl.col("orphan_allowance"))
        .with_columns(pl.col("relation_group").alias("child_group"))
    )
    children = children.join(parents, on=["household_id", "child_group"], how="left").join(
        persons.select("resident_id", "tekun_eligible"), on="resident_id", how="left"
    )
    # Both parents must be unable (CH-2 (a)); a parent elsewhere is not known to be unable.
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
