"""Children in hardship (困境儿童): Tianjin's living allowance for children of poor families and
disabled children.

Tianjin pays children in hardship (困境家庭儿童) 200 yuan a month from 2015-01-01 (reported
2014-10-10; no later value found, confidence low). The rule's own list of who is covered was not
found: of the national categories (《国务院关于加强困境儿童保障工作的意见》（国发〔2016〕36号）:
hardship from the family's poverty, from the child's own disability, from missing or improper
guardianship) the two the data can show are used — a minor of a dibao or near-dibao household,
a disabled minor — as a parameter (``children_in_hardship.covered``). Missing guardianship is
the orphan and de facto unsupported child allowance, which excludes this one, as does tekun.
"""

from __future__ import annotations

import polars as pl

from jiuzhu.rules.engine import PERSON, Formula, Reason, ReasonSet, variable
from jiuzhu.rules.engine.units import Unit
from jiuzhu.rules.programs.common import when_decided

BOOL, FEN = pl.Boolean(), pl.Int64()
HARDSHIP_RULE = "天津市困境家庭儿童基本生活保障（2015年1月1日起）; 国发〔2016〕36号"

REASONS = ReasonSet(
    "children_in_hardship",
    [
        Reason(
            "HARDSHIP_CHILD_POOR_FAMILY",
            "低保或低保边缘家庭的未成年人：困境儿童基本生活费 {children_in_hardship_amount}",
            "Minor of a dibao or near-dibao household: allowance {children_in_hardship_amount}",
            "eligible",
            label="贫困家庭儿童",
            label_en="Poor family",
        ),
        Reason(
            "HARDSHIP_CHILD_DISABLED",
            "残疾未成年人：困境儿童基本生活费 {children_in_hardship_amount}",
            "Disabled minor: allowance {children_in_hardship_amount}",
            "eligible",
            label="残疾儿童",
            label_en="Disabled child",
        ),
        Reason(
            "HARDSHIP_CHILD_OTHER_SUPPORT",
            "已享受孤儿（事实无人抚养儿童）保障或特困供养，不重复保障",
            "Already supported as an orphan, de facto unsupported child or tekun",
            label="已享受其他保障",
            label_en="Other support",
        ),
        Reason(
            "HARDSHIP_CHILD_NOT_COVERED",
            "不属于困境儿童保障情形（未成年且家庭贫困或本人残疾）",
            "Not a covered child in hardship (a minor of a poor family, or disabled)",
            label="不属于困境儿童",
            label_en="Not covered",
        ),
        Reason(
            "HARDSHIP_CHILD_UNDETERMINED",
            "家庭低保、低保边缘认定待定，困境儿童保障随之待定",
            "The household's dibao or near-dibao status is undetermined: so is this",
            "undetermined",
            label="待定",
            label_en="Undetermined",
        ),
    ],
)


def _poor_family(f: Formula) -> pl.Expr:
    covered = f.param("children_in_hardship.covered", code="poor_family")
    return covered & (f.parent("dibao_eligible") | f.parent("near_dibao_status"))


def _disabled(f: Formula) -> pl.Expr:
    covered = f.param("children_in_hardship.covered", code="disabled")
    return covered & (f("disability_category") != "none")


def _other_support(f: Formula) -> pl.Expr:
    return f("child_welfare_eligible").fill_null(False) | f("tekun_eligible").fill_null(False)


@variable(
    PERSON,
    BOOL,
    Unit.BOOLEAN,
    "符合困境儿童保障",
    "Eligible for the children-in-hardship allowance",
    reference=HARDSHIP_RULE,
)
def children_in_hardship_eligible(f: Formula) -> pl.Expr:
    """A minor of a poor family or disabled, not supported as an orphan, de facto unsupported
    child or tekun; null where the household's status is undetermined and the child is not
    covered otherwise."""
    return f("minor") & ~_other_support(f) & (_disabled(f) | _poor_family(f))


@variable(
    PERSON,
    FEN,
    Unit.FEN_PER_MONTH,
    "困境儿童基本生活费",
    "Children-in-hardship allowance (per month)",
    reference=HARDSHIP_RULE,
)
def children_in_hardship_amount(f: Formula) -> pl.Expr:
    """The allowance for an eligible child."""
    return when_decided(
        f("children_in_hardship_eligible"), f.param("children_in_hardship.allowance")
    )


@variable(
    PERSON,
    pl.Int64(),
    Unit.REASONS,
    "困境儿童保障理由",
    "Children-in-hardship reason codes",
    reasons=REASONS,
)
def children_in_hardship_reasons(f: Formula) -> pl.Expr:
    """Reason codes of the decision."""
    eligible = f("children_in_hardship_eligible")
    return REASONS.mask(
        {
            "HARDSHIP_CHILD_POOR_FAMILY": eligible & _poor_family(f),
            "HARDSHIP_CHILD_DISABLED": eligible & _disabled(f),
            "HARDSHIP_CHILD_OTHER_SUPPORT": f("minor") & _other_support(f),
            "HARDSHIP_CHILD_NOT_COVERED": eligible.not_() & ~_other_support(f),
            "HARDSHIP_CHILD_UNDETERMINED": eligible.is_null(),
        }
    )
