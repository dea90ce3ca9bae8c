"""Child welfare (儿童福利): the basic living allowance of orphans (孤儿) and de facto unsupported
children (事实无人抚养儿童).

An orphan is a minor who has lost both parents or whose birth parents cannot be found
(《国务院办公厅关于加强孤儿保障工作的意见》（国办发〔2010〕54号）). A de facto unsupported child
(《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）) is a minor
whose parents are both *unable* — severely disabled, seriously ill, serving a sentence or in
custody, in compulsory drug rehabilitation, under another restriction of liberty, out of contact,
stripped of guardianship by a court, or deported — or one of whose parents is dead or declared
missing while the other is unable. Custody, rehabilitation and restriction count when the term is
at least six months; out of contact counts from six months after the police accepted the report.
Reading: two parents both declared missing, or one dead and one declared missing, make a de facto
unsupported child (neither is an orphan, and a declared-missing parent is out of contact by a
court's finding).

The allowance is one Tianjin figure for both, institutional or not: 2,605 yuan a month, in force on
2025-12-17 at the latest; earlier values were not found, so an earlier amount is undetermined.
A minor who also meets the tekun conditions is tekun unless they choose this support
(《特困人员认定办法》（民发〔2021〕43号）: the choice excludes tekun).
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import (
    HOUSEHOLD,
    PERSON,
    Formula,
    Reason,
    ReasonSet,
    input_variable,
    variable,
)
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.codes import CHILD_WELFARE_CATEGORY, enum
from jiuzhu.rules.programs.common import completed_months, when_decided
from jiuzhu.rules.programs.sources import (
    DE_FACTO_UNSUPPORTED_OPINIONS,
    ORPHAN_OPINIONS,
    TEKUN_MEASURES,
)

BOOL, FEN, CODE, DATE = pl.Boolean(), pl.Int64(), pl.String(), pl.Date()
P = "child_welfare"

GONE = ("deceased", "not_found")
"""Situations that make a parent count as lost for an orphan."""
ABSENT = ("deceased", "declared_missing", "not_found")
"""Situations of the 'one parent dead or missing' branch of a de facto unsupported child."""
UNABLE_ANY_TERM = ("severe_disability", "serious_illness", "guardianship_revoked", "deported")
"""Situations that make a parent unable whatever their length."""
UNABLE_BY_TERM = ("imprisoned", "drug_rehabilitation", "restricted")
"""Situations that count when their term (since → until) is at least the set months."""


def _parent_inputs(parent: str, label: str, label_en: str) -> tuple[object, object, object]:
    situation = input_variable(
        f"{parent}_situation",
        PERSON,
        CODE,
        Unit.CODE,
        f"{label}情况",
        f"{label_en}'s situation",
        codes="parent_situation",
        reference=DE_FACTO_UNSUPPORTED_OPINIONS,
        default="none",
        program=P,
    )
    since = input_variable(
        f"{parent}_situation_since",
        PERSON,
        DATE,
        Unit.DATE,
        f"{label}情况起始日期（失联为公安机关受理报警之日）",
        f"{label_en}'s situation since (out of contact: the day the police accepted the report)",
        reference=DE_FACTO_UNSUPPORTED_OPINIONS,
        nullable=True,
        program=P,
    )
    until = input_variable(
        f"{parent}_situation_until",
        PERSON,
        DATE,
        Unit.DATE,
        f"{label}刑期、戒毒期或限制期届满日期",
        f"{label_en}'s sentence, rehabilitation or restriction ends",
        reference=DE_FACTO_UNSUPPORTED_OPINIONS,
        nullable=True,
        program=P,
    )
    return situation, since, until


father_situation, father_situation_since, father_situation_until = _parent_inputs(
    "father", "父亲", "Father"
)
mother_situation, mother_situation_since, mother_situation_until = _parent_inputs(
    "mother", "母亲", "Mother"
)

REASONS = ReasonSet(
    "child_welfare",
    [
        Reason(
            "CHILD_ORPHAN",
            "孤儿（父母均死亡或查找不到）：基本生活费 {child_welfare_amount}",
            "Orphan (both parents dead or not found): allowance {child_welfare_amount}",
            "eligible",
            label="孤儿",
            label_en="Orphan",
        ),
        Reason(
            "CHILD_DE_FACTO_UNSUPPORTED",
            "事实无人抚养儿童（父母均无法履行抚养义务，或一方死亡、失踪而另一方无法履行）："
            "基本生活费 {child_welfare_amount}",
            "De facto unsupported child (both parents unable, or one dead or missing and the "
            "other unable): allowance {child_welfare_amount}",
            "eligible",
            label="事实无人抚养",
            label_en="De facto unsupported",
        ),
        Reason(
            "CHILD_NOT_MINOR",
            "已成年",
            "Not a minor",
            label="已成年",
            label_en="Not a minor",
        ),
        Reason(
            "CHILD_PARENT_ABLE",
            "父母中至少一方不属于死亡、失踪或无法履行抚养义务的情形",
            "At least one parent is neither dead, missing nor unable to support",
            label="父母能抚养",
            label_en="A parent can support",
        ),
        Reason(
            "CHILD_TERM_TOO_SHORT",
            "父（母）服刑、戒毒、限制人身自由或失联不满规定期限（6个月），期满后可再申请",
            "A parent's custody, rehabilitation, restriction or absence of contact is shorter than "
            "the set term (6 months): apply again when it is reached",
            label="未满6个月",
            label_en="Term under 6 months",
        ),
        Reason(
            "CHILD_TEKUN_INSTEAD",
            "同时符合特困人员条件，未选择孤儿或事实无人抚养儿童保障：按特困人员供养"
            "（可选择本保障）",
            "Also meets the tekun conditions and did not choose this support: supported as "
            "tekun (may choose this instead)",
            label="按特困供养",
            label_en="Tekun instead",
        ),
        Reason(
            "CHILD_ALLOWANCE_UNKNOWN",
            "评估日期的天津孤儿基本生活保障标准未找到，金额待定",
            "Tianjin's orphan allowance on the assessment date was not found: amount undetermined",
            "undetermined",
            label="标准未知待定",
            label_en="Allowance unknown",
        ),
        Reason(
            "CHILD_UNDETERMINED",
            "父母情况或年龄不全，无法认定",
            "Parents' situation or age incomplete: undetermined",
            "undetermined",
            label="待定",
            label_en="Undetermined",
        ),
    ],
)


def _term_met(f: Formula, parent: str) -> pl.Expr:
    """The parent's situation has lasted (out of contact) or is set to last (custody,
    rehabilitation, restriction: since → until, open-ended if no end is given) at least the set
    months; null where a needed start date is missing."""
    months = f.param("child_welfare.min_months")
    situation = f(f"{parent}_situation")
    since, until = f(f"{parent}_situation_since"), f(f"{parent}_situation_until")
    lasted = completed_months(since, f.date) >= months
    term = pl.when(until.is_null()).then(True).otherwise(completed_months(since, until) >= months)
    return pl.when(situation == "out_of_contact").then(lasted).otherwise(term)


def _unable(f: Formula, parent: str) -> pl.Expr:
    """The parent cannot support the child: a listed situation, with its term where it has one."""
    situation = f(f"{parent}_situation")
    return situation.is_in(UNABLE_ANY_TERM) | (
        situation.is_in((*UNABLE_BY_TERM, "out_of_contact")) & _term_met(f, parent)
    )


def _short_term(f: Formula, parent: str) -> pl.Expr:
    situation = f(f"{parent}_situation")
    return situation.is_in((*UNABLE_BY_TERM, "out_of_contact")) & ~_term_met(f, parent)


@variable(
    PERSON,
    CODE,
    Unit.CODE,
    "儿童保障类别",
    "Child welfare category",
    codes="child_welfare_category",
    reference=ORPHAN_OPINIONS + "; " + DE_FACTO_UNSUPPORTED_OPINIONS,
)
def child_welfare_category(f: Formula) -> pl.Expr:
    """``orphan``, ``de_facto_unsupported`` or ``none`` for a minor (``none`` for an adult);
    null where a term's start date is missing."""
    father, mother = f("father_situation"), f("mother_situation")
    orphan = father.is_in(GONE) & mother.is_in(GONE)
    father_unable, mother_unable = _unable(f, "father"), _unable(f, "mother")
    both_absent = father.is_in(ABSENT) & mother.is_in(ABSENT)
    de_facto = (
        (father_unable & mother_unable)
        | (father.is_in(ABSENT) & mother_unable)
        | (mother.is_in(ABSENT) & father_unable)
        | both_absent
    ) & f.param("child_welfare.de_facto_unsupported_in_force")
    codes = pl.Series(CHILD_WELFARE_CATEGORY.identifiers, dtype=enum(CHILD_WELFARE_CATEGORY))
    index = (
        pl.when(~f("minor"))
        .then(0)
        .when(orphan)
        .then(1)
        .when(de_facto.is_null())
        .then(None)
        .when(de_facto)
        .then(2)
        .otherwise(0)
        .cast(pl.UInt8)
    )
    return pl.lit(codes).gather(index)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "符合孤儿或事实无人抚养儿童保障",
    "Eligible for orphan or de facto unsupported child support",
    reference=ORPHAN_OPINIONS + "; " + DE_FACTO_UNSUPPORTED_OPINIONS + "; " + TEKUN_MEASURES,
)
def child_welfare_eligible(f: Formula) -> pl.Expr:
    """An orphan or de facto unsupported minor who is not supported as tekun."""
    category = f("child_welfare_category")
    return (category != "none") & ~f("tekun_eligible").fill_null(False)


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "孤儿（事实无人抚养儿童）基本生活费",
    "Orphan / de facto unsupported child allowance (per month)",
    reference=ORPHAN_OPINIONS,
)
def child_welfare_amount(f: Formula) -> pl.Expr:
    """The Tianjin allowance for an eligible child; null while the allowance is unknown."""
    return when_decided(f("child_welfare_eligible"), f.param("child_welfare.allowance"))


@variable(
    PERSON, pl.Int64(), Unit.REASONS, "儿童保障理由", "Child welfare reason codes", reasons=REASONS
)
def child_welfare_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the child welfare decision."""
    category = f("child_welfare_category")
    eligible = f("child_welfare_eligible")
    qualifying = category != "none"
    return REASONS.mask(
        {
            "CHILD_ORPHAN": eligible & (category == "orphan"),
            "CHILD_DE_FACTO_UNSUPPORTED": eligible & (category == "de_facto_unsupported"),
            "CHILD_NOT_MINOR": ~f("minor"),
            "CHILD_PARENT_ABLE": f("minor") & ~qualifying,
            "CHILD_TERM_TOO_SHORT": f("minor")
            & ~qualifying
            & (_short_term(f, "father") | _short_term(f, "mother")),
            "CHILD_TEKUN_INSTEAD": qualifying & f("tekun_eligible").fill_null(False),
            "CHILD_ALLOWANCE_UNKNOWN": eligible & f("child_welfare_amount").is_null(),
            "CHILD_UNDETERMINED": category.is_null(),
        }
    )


@variable(HOUSEHOLD, pl.Int64(), Unit.PERSONS, "孤儿和事实无人抚养儿童数", "Supported children")
def child_welfare_persons(f: Formula) -> pl.Expr:
    """Children eligible for the allowance."""
    return f.count(PERSON, where="child_welfare_eligible")


@variable(
    HOUSEHOLD,
    FEN,
    Unit.FEN_PER_MONTH,
    "孤儿基本生活费合计",
    "Children's allowances of the household",
)
def child_welfare_household_amount(f: Formula) -> pl.Expr:
    """Sum of the children's allowances (null if any is undetermined)."""
    return f.sum(PERSON, "child_welfare_amount")
