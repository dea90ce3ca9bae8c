"""The household types of the synthetic district: the roles of their members and their shares
by household size."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """A household type: the roles of its members, by position."""

    name: str
    roles: tuple[str, ...]
    head_ages: tuple[int, int]


# Roles: head (the applicant, GB/T 4761 01), spouse, child (of the head), parent (of the head),
# child_in_law, grandchild.
TEMPLATES: tuple[Template, ...] = (
    Template("single_adult", ("head",), (18, 59)),
    Template("single_elderly", ("head",), (60, 95)),
    Template("couple_young", ("head", "spouse"), (22, 59)),
    Template("couple_elderly", ("head", "spouse"), (60, 92)),
    Template("single_parent", ("head", "child"), (26, 52)),
    Template("elder_with_child", ("head", "child"), (62, 92)),
    Template("couple_child", ("head", "spouse", "child"), (24, 55)),
    Template("single_parent_2", ("head", "child", "child"), (28, 52)),
    Template("elder_couple_child", ("head", "spouse", "child"), (60, 88)),
    Template("couple_2children", ("head", "spouse", "child", "child"), (26, 52)),
    Template("three_generation_4", ("head", "spouse", "child", "parent"), (28, 55)),
    Template("elder_child_family", ("head", "child", "child_in_law", "grandchild"), (62, 88)),
    Template("three_generation_5", ("head", "spouse", "child", "parent", "parent"), (28, 55)),
    Template(
        "three_generation_6", ("head", "spouse", "child", "child", "parent", "parent"), (30, 55)
    ),
)
TEMPLATE_INDEX = {t.name: i for i, t in enumerate(TEMPLATES)}

# (size, share of households) and, per size, the templates and their shares.
SIZE_SHARES = {1: 0.17, 2: 0.34, 3: 0.25, 4: 0.15, 5: 0.07, 6: 0.02}
TEMPLATE_SHARES = {
    1: {"single_adult": 0.62, "single_elderly": 0.38},
    2: {
        "couple_young": 0.49,
        "couple_elderly": 0.25,
        "single_parent": 0.10,
        "elder_with_child": 0.16,
    },
    3: {"couple_child": 0.66, "single_parent_2": 0.08, "elder_couple_child": 0.26},
    4: {"couple_2children": 0.48, "three_generation_4": 0.35, "elder_child_family": 0.17},
    5: {"three_generation_5": 1.0},
    6: {"three_generation_6": 1.0},
}
