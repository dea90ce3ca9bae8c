"""The run as a whole: schema, idempotent keys, routing, evidence, bad input, the catalogue."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from jiuzhu.batch.pipelines.discover import ALERT_SCHEMA, REGISTER_SCHEMA, discover
from jiuzhu.batch.pipelines.discover.catalogue import CatalogueError, catalogue, load_catalogue
from jiuzhu.batch.pipelines.discover.conditions import CONDITIONS
from jiuzhu.batch.pipelines.discover.context import DiscoveryInputError
from jiuzhu.synth.register import REGISTER_COLUMNS
from tests.batch.discover.world import MONTH, TOWN_A, TOWN_B, World, rid

D = dt.date


def _world() -> World:
    """Two townships; a death, a stay, a review and an unclaimed household."""
    w = World()
    a = w.household(7, TOWN_A)
    w.person(a, 1, D(1950, 2, 2))
    w.person(a, 2, D(1980, 1, 1), "20")
    w.enrol(a, "dibao", monthly_amount=209_000, review_due=D(2025, 10, 20))
    b = w.household(8, TOWN_B)
    w.person(b, 3, D(1980, 1, 1))
    w.enrol(b, "monitored", receiving=False)
    w.record("deaths", resident_id=rid(1), died_on=D(2025, 10, 3))
    w.stay(rid(3), D(2025, 10, 4), 700_000)
    w.stay(rid(3), D(2025, 10, 4), 700_000)  # the same settlement sent twice
    return w


def test_alerts_follow_the_schema_and_rerunning_gives_the_same_keys() -> None:
    w = _world()
    first = w.run()
    assert first.schema == ALERT_SCHEMA
    assert first["alert_key"].is_unique().all()
    assert set(first["signal"]) >= {"MEMBER_DIED", "MED_HIGH_OOP", "REVIEW_DUE"}
    assert first.filter(pl.col("signal") == "MED_HIGH_OOP").height == 1
    again = w.run()
    assert again["alert_key"].to_list() == first["alert_key"].to_list()
    assert again.equals(first)


def test_owner_division_is_the_community_or_the_township_by_signal() -> None:
    alerts = _world().run().select("signal", "owner_level", "owner_division", "township_code")
    rows = {row[0]: row[1:] for row in alerts.iter_rows()}
    # A death is the community's (12 digits); a medical cost the township's (9).
    assert rows["MEMBER_DIED"] == ("community", f"{TOWN_A}007", TOWN_A)
    assert rows["MED_HIGH_OOP"] == ("township", TOWN_B, TOWN_B)
    for signal in catalogue().values():
        owned = alerts.filter(pl.col("signal") == signal.code)
        width = {"community": 12, "township": 9, "district": 6}[signal.owner]
        assert (owned["owner_division"].str.len_chars() == width).all()


def test_evidence_carries_the_record_the_values_the_thresholds_and_the_rule() -> None:
    alerts = _world().run()
    death = alerts.filter(pl.col("signal") == "MEMBER_DIED").row(0, named=True)
    evidence = json.loads(death["evidence"])
    assert evidence["signal"] == "MEMBER_DIED" and evidence["month"] == MONTH
    assert evidence["sources"] == ["deaths"]
    assert evidence["record"] == {"died_on": "2025-10-03", "register_category": "dibao"}
    assert evidence["values"]["date"] == "2025-10-03"
    assert evidence["rule"]["reference"].startswith("《社会救助暂行办法》")
    assert "{date}" in evidence["rule"]["text"]
    assert death["deadline_working_days"] == 10 and death["adverse"] is True
    assert death["household_id"] == "H7" and death["resident_id"] == rid(1)


def test_no_alert_is_raised_for_people_outside_the_registry() -> None:
    w = _world()
    w.stay("410184197505059931", D(2025, 10, 4), 9_000_000)
    assert "410184197505059931" not in w.run("MED_HIGH_OOP")["resident_id"].to_list()


def test_empty_feeds_and_register_give_an_empty_frame_of_the_schema() -> None:
    w = World()
    home = w.household(1)
    w.person(home, 1, D(1980, 1, 1))
    alerts = w.run()
    assert alerts.height == 0 and alerts.schema == ALERT_SCHEMA


def test_bad_inputs_name_the_frame_the_column_and_the_rule() -> None:
    w = _world()
    with pytest.raises(DiscoveryInputError) as caught:
        w.run(month="2025-13")
    assert "YYYY-MM" in str(caught.value)
    inputs = w.inputs()
    broken = inputs.register.with_columns(pl.col("monthly_amount").cast(pl.Float64))
    with pytest.raises(DiscoveryInputError) as caught:
        discover(type(inputs)(inputs.households, inputs.persons, broken, inputs.feeds), MONTH)
    assert caught.value.problems == [
        "register › monthly_amount: 类型为 Float64，应为 Int64 (dtype Float64, expected Int64)"
    ]
    short = inputs.register.with_columns(pl.lit("12011519").alias("resident_id"))
    with pytest.raises(DiscoveryInputError, match="第1行"):
        discover(type(inputs)(inputs.households, inputs.persons, short, inputs.feeds), MONTH)
    feeds = {"deaths": inputs.feeds["deaths"].with_columns(pl.col("died_on").cast(pl.String))}
    with pytest.raises(DiscoveryInputError, match="feeds/deaths › died_on"):
        discover(type(inputs)(inputs.households, inputs.persons, inputs.register, feeds), MONTH)
    homes = inputs.households.drop("division_code")
    with pytest.raises(DiscoveryInputError, match="households › division_code"):
        discover(type(inputs)(homes, inputs.persons, inputs.register, inputs.feeds), MONTH)


def test_a_register_without_the_allowance_flag_or_with_it_blank_or_mistyped_is_refused() -> None:
    inputs = _world().inputs()

    def run(register: pl.DataFrame) -> list[str]:
        with pytest.raises(DiscoveryInputError) as caught:
            discover(type(inputs)(inputs.households, inputs.persons, register, inputs.feeds), MONTH)
        return caught.value.problems

    # A register written before the children-in-hardship flag existed.
    assert run(inputs.register.drop("children_in_hardship_allowance")) == [
        "register › children_in_hardship_allowance: 缺少此列 (missing column)"
    ]
    as_text = inputs.register.with_columns(pl.col("children_in_hardship_allowance").cast(pl.String))
    assert run(as_text) == [
        "register › children_in_hardship_allowance: 类型为 String，应为 Boolean "
        "(dtype String, expected Boolean)"
    ]
    # A blank flag is not a "no": it would raise an alert for a child who may be paid.
    blank = inputs.register.with_columns(
        pl.when(pl.int_range(pl.len()) >= 1)
        .then(None)
        .otherwise(pl.col("children_in_hardship_allowance"))
        .alias("children_in_hardship_allowance")
    )
    assert run(blank) == [
        f"register › 第2行 (row 2) › children_in_hardship_allowance: 不能为空，应为是或否 "
        f"(must be true or false; {blank.height - 1} blank row(s))"
    ]


def test_every_signal_has_a_condition_labels_and_dated_parameters() -> None:
    signals = catalogue()
    assert set(signals) == set(CONDITIONS)
    assert len(signals) >= 18
    categories = {s.category for s in signals.values()}
    assert categories == {"discovery", "needs", "dynamic_management", "policy_delivery"}
    assert {s.code for s in signals.values() if s.adverse} == {
        "MEMBER_DIED",
        "MEMBER_IN_CUSTODY",
        "CHILD_WELFARE_PARENT_CHANGE",
        "ASSET_REGISTERED",
    }
    for signal in signals.values():
        assert signal.label and signal.label_en and signal.reference and signal.sources
        for parameter in signal.parameters.values():
            assert all(v.reference for v in parameter.values)


def test_a_bad_catalogue_reports_every_problem(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        """
BAD_ONE:
  label: 坏
  label_en: Bad
  sources: [deaths]
  category: gossip
  severity: high
  owner: village
  deadline_working_days: 0
  adverse: maybe
  reference: 无
  explanation: {zh: "x"}
  parameters:
    limit:
      description: 阈值
      label_en: Limit
      unit: yuan
      values:
        2020-01-01: {value: 100}
""",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    text = "\n".join(caught.value.problems)
    for expected in (
        "signals/a.yaml › BAD_ONE: category 'gossip'",
        "owner 'village'",
        "deadline_working_days must be a whole number",
        "adverse must be true or false",
        "explanation must have exactly zh and en",
        "missing 'reference'",
    ):
        assert expected in text


def test_a_template_naming_a_value_its_condition_lacks_is_an_error() -> None:
    import dataclasses

    signal = catalogue()["MEMBER_DIED"]
    broken = dataclasses.replace(signal, template_zh="{nothing}")
    with pytest.raises(CatalogueError, match="nothing"):
        discover(_world().inputs(), MONTH, {"MEMBER_DIED": broken})


def test_the_synthetic_register_has_the_decisions_schema() -> None:
    assert REGISTER_COLUMNS == REGISTER_SCHEMA


def test_every_signal_is_in_the_documentation() -> None:
    text = (Path(__file__).parents[3] / "docs" / "discovery.md").read_text(encoding="utf-8")
    assert [code for code in catalogue() if f"`{code}`" not in text] == []
