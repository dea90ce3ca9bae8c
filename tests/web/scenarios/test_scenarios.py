"""Scenarios in the platform: measured over the registry, approved by a second officer into an
adopted dated parameter, and the entitlements recomputed with it (issue 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from jiuzhu.batch.pipelines.simulate import Scenario as Changes
from jiuzhu.batch.pipelines.simulate import simulate
from jiuzhu.batch.pipelines.simulate.scenario_file import Budget
from jiuzhu.rules import load_system
from jiuzhu.web.accounts.models import User
from jiuzhu.web.audit.models import AuditEvent as Event
from jiuzhu.web.entitlements.actions import standard_change_runs
from jiuzhu.web.entitlements.assessment import valid_households, without_persons
from jiuzhu.web.entitlements.models import RunStatus
from jiuzhu.web.localvalues.actions import system as rules_system
from jiuzhu.web.localvalues.models import LocalValue
from jiuzhu.web.localvalues.models import Status as ValueStatus
from jiuzhu.web.registry.frames import engine_frames
from jiuzhu.web.registry.models import Household
from jiuzhu.web.scenarios import actions
from jiuzhu.web.scenarios.models import Scenario, Status
from tests.web.conftest import PASSWORD
from tests.web.entitlements.conftest import dibao_households, make_entitlement, set_today

EFFECTIVE = dt.date(2025, 11, 1)
REFERENCE = "区民政局2025年第9次局务会纪要（测算）"

pytestmark = pytest.mark.django_db


def measure(user: User, standard: int = 1100, **fields: Any) -> Scenario:
    return actions.create_scenario(
        user,
        label=fields.pop("label", f"低保标准提高到{standard}元"),
        effective=fields.pop("effective", EFFECTIVE),
        reference=fields.pop("reference", REFERENCE),
        changes=fields.pop("changes", {"dibao.standard": standard}),
        **fields,
    )


def test_the_results_equal_two_runs_of_the_rules_engine(users: dict[str, User]) -> None:
    """The scenario's per-program summary is what the pipeline gives over the registry's
    households: the rules in force and the scenario, each run once."""
    scenario = measure(users["officer"])
    system = load_system("tianjin")
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    frames, invalid = valid_households(
        system, without_persons(engine_frames(system, ids, EFFECTIVE))
    )
    expected = simulate(
        system, Changes({"dibao.standard": {"urban": 1100, "rural": 1100}}, EFFECTIVE), frames
    )
    got = pl.DataFrame(scenario.summary).select(expected.summary.columns)
    assert got.equals(expected.summary.cast({"program": pl.String}))
    assert scenario.households == len(ids) - len(invalid)
    dibao = next(r for r in scenario.summary if r["program"] == "dibao")
    assert dibao["scenario_cost"] > dibao["baseline_cost"]
    assert sum(r["households"] for r in scenario.distribution) == scenario.households
    by_township = pl.DataFrame(scenario.by_township)
    total = by_township.filter(pl.col("program") == "dibao")["cost_difference"].sum()
    assert total == dibao["cost_difference"]
    assert Event.objects.filter(action="scenarios.create").count() == 1


def test_a_bad_scenario_is_refused_with_its_field(users: dict[str, User]) -> None:
    officer = users["officer"]
    with pytest.raises(ValidationError) as mid_month:
        measure(officer, effective=dt.date(2025, 11, 15))
    assert "effective" in mid_month.value.error_dict
    with pytest.raises(ValidationError) as unknown:
        measure(officer, changes={"dibao.no_such_thing": 3})
    assert "changes" in unknown.value.error_dict
    with pytest.raises(ValidationError) as negative:
        measure(officer, changes={"dibao.standard": -5})
    assert "changes" in negative.value.error_dict
    with pytest.raises(PermissionDenied):
        measure(users["caseworker"])
    with pytest.raises(PermissionDenied):
        measure(users["director"])  # the director decides, an officer measures
    assert not Scenario.objects.exists()


def test_a_standard_below_the_tekun_floor_is_flagged(users: dict[str, User]) -> None:
    """At 1,200 yuan the rural home-based tekun standard (1,530) falls below 1.3 × 1,200."""
    scenario = measure(users["officer"], standard=1200)
    broken = [row for row in scenario.linked if row["compliant"] is False]
    assert [row["floor"] for row in broken] == [156000]


def test_approval_adopts_the_standard_and_recomputes_the_entitlements(
    users: dict[str, User],
) -> None:
    """The second officer's approval puts the standard in force from its date (an adopted local
    value naming the reference and both officers) and starts the recomputation; once a third
    approval of the run is given, the entitlement pays the new amount from November."""
    household = int(dibao_households()["household_id"][0])
    entitlement = make_entitlement(household, amount=50_000)
    scenario = measure(users["officer"])
    with pytest.raises(ValidationError, match="另一人"):
        actions.approve_scenario(users["officer"], scenario)
    with pytest.raises(PermissionDenied):
        actions.approve_scenario(users["auditor"], scenario)

    scenario = actions.approve_scenario(users["officer2"], scenario, note="同意")
    assert scenario.status == Status.APPROVED
    value = LocalValue.objects.get(adopted=True)
    assert (value.parameter, value.start, value.status) == (
        "dibao.standard",
        EFFECTIVE,
        ValueStatus.IN_FORCE,
    )
    assert (value.entered_by, value.checked_by) == (users["officer"], users["officer2"])
    in_force = rules_system().parameters["dibao.standard"].at(EFFECTIVE)
    assert in_force.value == {"urban": 110000, "rural": 110000}
    assert REFERENCE in in_force.reference
    assert (
        rules_system().parameters["dibao.standard"].at(EFFECTIVE - dt.timedelta(days=1)).value
        != in_force.value
    )

    run = scenario.runs.get()
    assert (run.effective_month, run.parameter_path, run.status) == (
        "2025-11",
        "dibao.standard",
        RunStatus.PROPOSED,
    )
    assert run.items.filter(entitlement=entitlement).exists()
    standard_change_runs.approve_standard_change(users["officer"], run, note="")
    latest = entitlement.versions.order_by("-number").first()
    assert latest is not None and latest.valid_from == "2025-11"
    assert latest.monthly_amount != 50_000
    with pytest.raises(ValidationError, match="待审批"):
        actions.reject_scenario(users["director"], scenario, note="晚了")


def test_a_scenario_sent_back_changes_nothing(users: dict[str, User]) -> None:
    scenario = measure(users["officer"])
    with pytest.raises(ValidationError):
        actions.reject_scenario(users["officer2"], scenario, note=" ")
    scenario = actions.reject_scenario(users["officer2"], scenario, note="标准过高，财政难以承受")
    assert scenario.status == Status.REJECTED
    assert not LocalValue.objects.exists()
    assert not scenario.runs.exists()


def test_the_budget_mode_finds_the_standard_within_a_yuan(users: dict[str, User]) -> None:
    """The standard found costs no more than the budget, and one yuan more would."""
    baseline = measure(users["officer"], standard=1045, label="现行")
    dibao = next(r for r in baseline.summary if r["program"] == "dibao")
    budget_yuan = dibao["baseline_cost"] * 12 // 100 + 50_000
    programs = tuple(p for p in rules_system().programs if p.name == "dibao")
    scenario = measure(
        users["officer"],
        changes={},
        budget=Budget("dibao.standard", budget_yuan * 100, 1045, 3000, programs),
    )
    fit = scenario.budget_fit
    assert fit is not None and fit["fits"]
    assert fit["annual_cost"] <= budget_yuan * 100 < fit["next_cost"]
    assert scenario.changes["dibao.standard"] == {"urban": fit["value"], "rural": fit["value"]}


def login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_pages_for_each_role(users: dict[str, User]) -> None:
    scenario = measure(users["officer"])
    page = reverse("scenarios:detail", args=[scenario.pk])
    for role in ("officer", "officer2", "director", "auditor"):
        response = login(users[role]).get(page)
        assert response.status_code == 200, role
        assert "chart-data-scenario-" in response.text
    for role in ("caseworker", "head", "community", "outsider"):
        assert login(users[role]).get(page).status_code == 403, role
        assert login(users[role]).get(reverse("scenarios:list")).status_code == 403, role
    assert "批准并施行" in login(users["officer2"]).get(page).text
    assert "批准并施行" not in login(users["officer"]).get(page).text
    assert "批准并施行" not in login(users["auditor"]).get(page).text
    assert login(users["auditor"]).post(reverse("scenarios:list"), {}).status_code == 403


def test_the_form_measures_a_scenario_and_prefills_from_a_proposal(
    users: dict[str, User],
) -> None:
    client = login(users["officer"])
    prefilled = client.get(reverse("scenarios:list") + "?standard=1120&reference=消费支出比例法")
    assert 'value="1120"' in prefilled.text and "消费支出比例法" in prefilled.text
    bad = client.post(
        reverse("scenarios:list"),
        {"label": "x", "effective": "2025-11-15", "reference": "纪要", "standard": "1100"},
    )
    assert bad.status_code == 400 and "1日" in bad.text
    done = client.post(
        reverse("scenarios:list"),
        {"label": "提标", "effective": "2025-11-01", "reference": "纪要", "standard": "1100"},
    )
    scenario = Scenario.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "scenarios:detail", args=[scenario.pk]
    )
    assert (
        login(users["officer2"])
        .post(reverse("scenarios:step", args=[scenario.pk, "approve"]), {"note": ""})
        .status_code
        == 302
    )
    scenario.refresh_from_db()
    assert scenario.status == Status.APPROVED


def test_the_form_runs_the_budget_mode_and_shows_its_answer(users: dict[str, User]) -> None:
    client = login(users["officer"])
    both = client.post(
        reverse("scenarios:list"),
        {
            "label": "按预算",
            "effective": "2025-11-01",
            "reference": "预算",
            "standard": "1100",
            "budget_annual": "2000000",
            "budget_low": "1045",
            "budget_high": "3000",
        },
    )
    assert both.status_code == 400 and "不要同时填写" in both.text
    half = client.post(
        reverse("scenarios:list"),
        {"label": "按预算", "effective": "2025-11-01", "reference": "预算", "budget_annual": "5"},
    )
    assert half.status_code == 400 and "须同时填写" in half.text
    done = client.post(
        reverse("scenarios:list"),
        {
            "label": "按预算",
            "effective": "2025-11-01",
            "reference": "预算",
            "budget_annual": "2000000",
            "budget_low": "1045",
            "budget_high": "3000",
            "budget_programs": ["dibao"],
        },
    )
    assert done.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.budget == {
        "parameter": "dibao.standard",
        "annual": 2_000_000,
        "low": 1045,
        "high": 3000,
        "programs": ["dibao"],
    }
    page = client.get(done["Location"]).text
    value = scenario.budget_fit["value"]
    assert f"测得标准 {value:,} 元" in page
    assert f"城镇 {value:,}.00 元，农村 {value:,}.00 元" in page


def test_a_run_names_its_new_value_in_yuan(users: dict[str, User]) -> None:
    """The recomputation started by an approval shows the standard as 1,100.00 yuan, not the
    engine's fen."""
    make_entitlement(int(dibao_households()["household_id"][0]), amount=50_000)
    scenario = actions.approve_scenario(users["officer2"], measure(users["officer"]))
    run = scenario.runs.get()
    page = login(users["officer"]).get(reverse("entitlements:run", args=[run.pk])).text
    assert "城镇 1,100.00 元，农村 1,100.00 元" in page


def test_a_past_month_is_never_adopted(users: dict[str, User], settings: Any) -> None:
    """A scenario may not start before this month, and one whose month has passed while it
    waited is not approved (its figures were measured on the registry of then)."""
    with pytest.raises(ValidationError) as past:
        measure(users["officer"], effective=dt.date(2025, 9, 1))
    assert "effective" in past.value.error_dict
    scenario = measure(users["officer"])
    set_today(settings, dt.date(2025, 12, 2))
    with pytest.raises(ValidationError, match="生效日期已过"):
        actions.approve_scenario(users["officer2"], scenario)
    assert not LocalValue.objects.exists()


def test_a_second_scenario_for_the_same_month_is_refused(users: dict[str, User]) -> None:
    """Approving B would replace A's adopted standard while A's recomputation waits: refused."""
    first, second = measure(users["officer"]), measure(users["officer"], standard=1300)
    actions.approve_scenario(users["officer2"], first)
    with pytest.raises(ValidationError, match="另一测算方案"):
        actions.approve_scenario(users["officer2"], second)
    second.refresh_from_db()
    assert second.status == Status.AWAITING_CHECK
    assert rules_system().parameters["dibao.standard"].at(EFFECTIVE).value == {
        "urban": 110000,
        "rural": 110000,
    }


def test_a_value_the_package_later_contradicts_is_left_out_not_fatal(
    users: dict[str, User],
) -> None:
    """A package that later publishes a value before an adopted one (here written straight
    into the table) leaves that value out of the rules, and every page still works."""
    LocalValue.objects.create(
        parameter="dibao.standard",
        start=dt.date(2025, 6, 1),
        value=1100,
        document="旧方案",
        entered_by=users["officer"],
        checked_by=users["officer2"],
        status=ValueStatus.IN_FORCE,
        adopted=True,
    )
    standard = rules_system().parameters["dibao.standard"]
    assert standard.at(dt.date(2025, 7, 1)).value == {"urban": 101000, "rural": 101000}
    assert login(users["officer"]).get(reverse("scenarios:list")).status_code == 200


def test_a_budget_that_cannot_be_met_is_not_adopted(users: dict[str, User]) -> None:
    programs = tuple(p for p in rules_system().programs if p.name == "dibao")
    scenario = measure(
        users["officer"], changes={}, budget=Budget("dibao.standard", 100, 1045, 3000, programs)
    )
    assert scenario.budget_fit is not None and not scenario.budget_fit["fits"]
    with pytest.raises(ValidationError, match="预算不足"):
        actions.approve_scenario(users["officer2"], scenario)
