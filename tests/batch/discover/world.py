"""Small hand-built inputs for the discovery tests: a few households, their people, the register
and feed records, each written out where the test can see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from jiuzhu.batch.pipelines.discover import REGISTER_SCHEMA, DiscoveryInputs, discover
from jiuzhu.batch.pipelines.discover.catalogue import catalogue

MONTH = "2025-10"
TOWN_A, TOWN_B = "120115001", "120115102"
"""Two townships (9 digits); each household's community adds three digits."""

FEED_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # Every feed carries the name the department wrote beside the ID (null unless a test
    # gives one).
    "medical_insurance": {
        "resident_id": pl.String(),
        "name": pl.String(),
        "settled_on": pl.Date(),
        "visit_type": pl.String(),
        "total_cost": pl.Int64(),
        "fund_paid": pl.Int64(),
        "critical_illness_paid": pl.Int64(),
        "assistance_paid": pl.Int64(),
        "out_of_pocket": pl.Int64(),
        "diagnosis": pl.String(),
    },
    "disability": {
        "resident_id": pl.String(),
        "name": pl.String(),
        "certificate": pl.String(),
        "category": pl.String(),
        "grade": pl.String(),
        "issued_on": pl.Date(),
    },
    "deaths": {"resident_id": pl.String(), "name": pl.String(), "died_on": pl.Date()},
    "custody": {
        "resident_id": pl.String(),
        "name": pl.String(),
        "kind": pl.String(),
        "institution": pl.String(),
        "started_on": pl.Date(),
        "expected_release": pl.Date(),
        "released_on": pl.Date(),
    },
    "unemployment": {
        "resident_id": pl.String(),
        "name": pl.String(),
        "registered_on": pl.Date(),
        "status": pl.String(),
    },
    "social_insurance": {
        "resident_id": pl.String(),
        "name": pl.String(),
        "scheme": pl.String(),
        "period": pl.String(),
        "contribution": pl.Int64(),
    },
    "vehicles": {
        "resident_id": pl.String(),
        "name": pl.String(),
        "plate": pl.String(),
        "vehicle_type": pl.String(),
        "use": pl.String(),
        "first_registered": pl.Date(),
        "deregistered": pl.Date(),
    },
    "real_estate": {
        "resident_id": pl.String(),
        "name": pl.String(),
        "certificate": pl.String(),
        "use": pl.String(),
        "floor_area": pl.Int64(),
        "registered_on": pl.Date(),
    },
    "market_entities": {
        "resident_id": pl.String(),
        "name": pl.String(),
        "credit_code": pl.String(),
        "entity_name": pl.String(),
        "established_on": pl.Date(),
        "status": pl.String(),
    },
}


def rid(number: int) -> str:
    """An 18-character resident ID (discovery matches IDs; the feed readers check them)."""
    return f"120115{number:012d}"


@dataclass
class World:
    households: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    register: list[dict[str, Any]] = field(default_factory=list)
    feeds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def household(self, number: int, town: str = TOWN_A, **facts: Any) -> str:
        """A household (id ``H{number}``) in community ``{town}{number:03d}``."""
        key = f"H{number}"
        self.households.append(
            {
                "household_id": key,
                "division_code": f"{town}{number % 1000:03d}",
                "township_code": town,
                "assessment_date": dt.date(2025, 10, 15),
                "area_type": "urban",
                **facts,
            }
        )
        return key

    def person(
        self,
        household: str,
        number: int,
        born: dt.date,
        relation: str = "01",
        **facts: Any,
    ) -> str:
        """A person (resident ID ``rid(number)``) of ``household``."""
        resident = rid(number)
        self.persons.append(
            {
                "person_id": number,
                "household_id": household,
                "resident_id": resident,
                "birth_date": born,
                "relation": relation,
                "disability_category": "none",
                "disability_grade": None,
                "serious_illness": "none",
                "special_outpatient_disease": False,
                "absence_reason": "none",
                "wage_income": 0,
                **facts,
            }
        )
        return resident

    def enrol(
        self,
        household: str,
        category: str = "dibao",
        receiving: bool = True,
        monthly_amount: int | None = None,
        review_due: dt.date | None = None,
        rigid_valid_until: dt.date | None = None,
        **flags: bool,
    ) -> None:
        """Every member of ``household`` in the register."""
        for person in self.persons:
            if person["household_id"] != household:
                continue
            self.register.append(
                {
                    "resident_id": person["resident_id"],
                    "household_id": household,
                    "category": category,
                    "receiving": receiving,
                    "included_on": dt.date(2024, 3, 1),
                    "reason": "近一年退出保障" if not receiving else "低保对象",
                    "review_due": review_due,
                    "rigid_valid_until": rigid_valid_until,
                    "monthly_amount": monthly_amount,
                    "disability_living_allowance": flags.get("living", False),
                    "disability_care_allowance": flags.get("care", False),
                    "orphan_allowance": flags.get("orphan", False),
                    "children_in_hardship_allowance": flags.get("hardship", False),
                }
            )

    def record(self, source: str, **values: Any) -> None:
        self.feeds.setdefault(source, []).append(values)

    def stay(self, resident: str, on: dt.date, own_fen: int, **values: Any) -> None:
        """A settlement whose payments add up (own share ``own_fen``)."""
        self.record(
            "medical_insurance",
            resident_id=resident,
            settled_on=on,
            visit_type=values.pop("visit_type", "inpatient"),
            total_cost=own_fen * 3,
            fund_paid=own_fen * 2,
            critical_illness_paid=0,
            assistance_paid=values.pop("assistance_paid", 0),
            out_of_pocket=own_fen,
            **values,
        )

    def inputs(self) -> DiscoveryInputs:
        persons = pl.DataFrame(
            self.persons,
            schema_overrides={"disability_grade": pl.Int8(), "wage_income": pl.Int64()},
            infer_schema_length=None,
        )
        feeds = {
            source: pl.DataFrame(rows, schema=FEED_SCHEMAS[source])
            for source, rows in self.feeds.items()
        }
        register = (
            pl.DataFrame(self.register, schema=REGISTER_SCHEMA)
            if self.register
            else pl.DataFrame(schema=REGISTER_SCHEMA)
        )
        return DiscoveryInputs(
            households=pl.DataFrame(self.households, infer_schema_length=None),
            persons=persons,
            register=register,
            feeds=feeds,
        )

    def run(self, *codes: str, month: str = MONTH) -> pl.DataFrame:
        """The alerts of the named signals (all signals if none are named)."""
        signals = catalogue()
        chosen = {code: signals[code] for code in codes} if codes else None
        return discover(self.inputs(), month, chosen)


def keys(alerts: pl.DataFrame) -> list[str]:
    return sorted(alerts["alert_key"].to_list())
