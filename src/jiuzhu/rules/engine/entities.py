"""Entities: the units a variable belongs to.

A household (the assistance unit, 共同生活的家庭) has persons; a person may have support obligors
(法定赡养/扶养/抚养义务人) who live elsewhere. Each entity is one frame with a key column and,
below the household, a column naming its parent. Values cross entities only through explicit
aggregation (child → parent: sum, any, all, count, max, min) or broadcast (parent → child).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entity:
    """One level of the entity tree.

    Attributes:
        name: identifier used in frames and errors (``household``, ``person``, ``obligor``).
        key: column that identifies a row (unique, non-null).
        label: Chinese name shown to users.
        label_en: English name.
        parent: the entity this one belongs to, or None for the household.
        parent_key: column of this entity's frame holding the parent's key.
    """

    name: str
    key: str
    label: str
    label_en: str
    parent: Entity | None = None
    parent_key: str | None = None

    def ancestors(self) -> list[Entity]:
        """Parents from the nearest upwards."""
        chain: list[Entity] = []
        entity = self.parent
        while entity is not None:
            chain.append(entity)
            entity = entity.parent
        return chain

    def __str__(self) -> str:
        return self.name


HOUSEHOLD = Entity("household", "household_id", "家庭", "household")
PERSON = Entity("person", "person_id", "家庭成员", "person", HOUSEHOLD, "household_id")
OBLIGOR = Entity("obligor", "obligor_id", "法定义务人", "support obligor", PERSON, "person_id")

ENTITIES: tuple[Entity, ...] = (HOUSEHOLD, PERSON, OBLIGOR)
