"""Code lists: the positional layouts formulas rely on, and the national standard spellings."""

from __future__ import annotations

from jiuzhu.rules.programs.codes import (
    DISABILITY_CATEGORY,
    DISABILITY_CLASS,
    RELATION,
    RELATION_GROUP_OF,
    TEKUN_STANDARD_CLASS,
)


def test_disability_classes_follow_categories_then_grades() -> None:
    """``disability_class`` finds a class by position: none, then grades 1–4 of each category."""
    assert DISABILITY_CLASS.identifiers[0] == "none" == DISABILITY_CATEGORY.identifiers[0]
    for index, category in enumerate(DISABILITY_CATEGORY.identifiers[1:], start=1):
        for grade in range(1, 5):
            assert DISABILITY_CLASS.identifiers[(index - 1) * 4 + grade] == f"{category}_{grade}"


def test_tekun_standard_classes_are_in_the_order_the_formula_indexes() -> None:
    assert TEKUN_STANDARD_CLASS.identifiers == ["urban", "rural_institutional", "rural_home_based"]


def test_gb_t_4761_codes_and_names_are_accepted() -> None:
    assert (
        RELATION.parse("10") == "10"
        and RELATION.parse("配偶") == "10"
        and RELATION.parse("1") == "01"
    )
    assert set(RELATION_GROUP_OF) == set(RELATION.identifiers)


def test_gb_t_26341_numbers_name_the_categories() -> None:
    assert DISABILITY_CATEGORY.parse("4") == "physical"
    assert DISABILITY_CATEGORY.parse("肢体残疾") == "physical"
