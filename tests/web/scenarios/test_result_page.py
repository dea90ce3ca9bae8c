"""A scenario's result page: every figure readable, none missing or misleading."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.accounts.models import User
from jiuzhu.web.scenarios import actions
from tests.web.scenarios.test_scenarios import login, measure

pytestmark = pytest.mark.django_db


def test_a_missing_after_value_is_a_dash(users: dict[str, User]) -> None:
    """At 1 yuan no household keeps dibao: its average after the change is "—", not blank."""
    scenario = measure(users["officer"], standard=1)
    dibao = next(r for r in scenario.summary if r["program"] == "dibao")
    assert dibao["scenario_average"] is None and dibao["baseline_average"] is not None
    page = login(users["officer"]).get(reverse("scenarios:detail", args=[scenario.pk])).text
    assert not re.search(r"→\s*<", page)
    assert not re.search(r">\s*→", page)
    assert "→ —" in page


def _row(page: str, name: str) -> list[str]:
    """The cells of the summary table's row of program ``name``."""
    table = page.split('id="summary"')[1].split("</table>", maxsplit=1)[0]
    for row in table.split("<tr")[1:]:
        if name in row:
            cells = [c.split(">", 1)[1] for c in row.split("<td")[1:]]
            return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    raise AssertionError(f"no row {name}")


def test_the_table_gives_a_year_a_total_and_each_programs_unit(users: dict[str, User]) -> None:
    scenario = measure(users["officer"])
    page = login(users["officer"]).get(reverse("scenarios:detail", args=[scenario.pk])).text
    by_name = {r["program"]: r for r in scenario.summary}
    dibao, heating = by_name["dibao"], by_name["heating"]

    cells = _row(page, "最低生活保障")
    assert cells[1].endswith("户")
    before, after = dibao["baseline_cost"], dibao["scenario_cost"]
    assert cells[5].startswith(f"{format_yuan(before)} → {format_yuan(after)}")
    assert cells[5].endswith(f"+{format_yuan(after - before)}")
    assert cells[6].startswith(f"{format_yuan(before * 12)} → {format_yuan(after * 12)}")
    assert _row(page, "特困人员救助供养")[1].endswith("人")

    # Heating is paid once a heating season: no monthly amount, a year holds one season.
    cells = _row(page, "取暖救助")
    assert "每个采暖季一次" in cells[0] and cells[5] == "—"
    before, after = heating["baseline_cost"], heating["scenario_cost"]
    assert cells[6].startswith(f"{format_yuan(before)} → {format_yuan(after)}")
    # Medical aid's amount rests on costs the registry lacks: a dash, not 0.00 → 0.00.
    cells = _row(page, "医疗救助")
    assert cells[5:] == ["—"] * 3 and "按次" in cells[0]
    assert "不测算金额" in page

    monthly = [r for r in scenario.summary if r["monthly"] and not r["option"]]
    before = sum(r["baseline_cost"] for r in monthly)
    after = sum(r["scenario_cost"] for r in monthly)
    total = page.split('id="summary-total"')[1].split("</tr>")[0]
    assert f"{format_yuan(before)} → {format_yuan(after)}" in total
    assert f"{format_yuan(before * 12)} → {format_yuan(after * 12)}" in total
    assert format_yuan(by_name["single_person_unit"]["scenario_cost"] + after) not in total


def test_the_page_says_the_scenario_is_not_what_is_paid(users: dict[str, User]) -> None:
    scenario = measure(users["officer"])
    client = login(users["officer"])
    page = client.get(reverse("scenarios:detail", args=[scenario.pk])).text
    assert "不是实际在发的待遇" in page
    client.cookies["django_language"] = "en"
    english = client.get(reverse("scenarios:detail", args=[scenario.pk])).text
    assert "not the entitlements in payment" in english


def test_the_gains_chart_leaves_the_unchanged_to_its_table(users: dict[str, User]) -> None:
    """Most households are unchanged: drawn, they would hide the bands that gain or lose."""
    scenario = measure(users["officer"])
    unchanged = next(r for r in scenario.distribution if r["band"] == "unchanged")
    response = login(users["officer"]).get(reverse("scenarios:detail", args=[scenario.pk]))
    chart = response.context["bands_chart"]
    assert "不变" not in chart.categories and len(chart.categories) == 7
    assert f"金额不变的 {unchanged['households']:,} 户未画入图中" in response.text
    bands = response.text.split('id="bands"')[1].split("</table>")[0]
    assert "不变" in bands and f"{unchanged['households']:,}" in bands


def test_a_stale_scenario_offers_no_approval_and_says_why(users: dict[str, User]) -> None:
    """Once another scenario put the same parameter in force from the same date, the first
    shows the reason instead of a button that can only fail, and the list marks it."""
    first, second = measure(users["officer"]), measure(users["officer"], standard=1300)
    actions.approve_scenario(users["officer2"], second)
    client = login(users["officer2"])
    page = client.get(reverse("scenarios:detail", args=[first.pk])).text
    assert "批准并施行" not in page
    assert "另一测算方案已自 2025-11-01 起施行该参数" in page.split('id="approval-refused"')[1]
    assert "退回" in page  # it can still be sent back
    listing = client.get(reverse("scenarios:list")).text
    rows = {
        row.split('href="/scenarios/')[1].split("/")[0]: row
        for row in listing.split('id="scenarios"')[1].split("</table>")[0].split("<tr>")[2:]
    }
    assert "已不能批准" in rows[str(first.pk)]
    assert "已不能批准" not in rows[str(second.pk)]


FULL_WIDTH = re.compile(r"[：；，（）、。]")


def test_the_english_pages_use_english_punctuation_and_words(users: dict[str, User]) -> None:
    """Every text of the scenario pages in English, the scenario's own data aside (its label,
    grounds, the staff's names) and the parameter values core.parameters words."""
    scenario = measure(users["officer"], label="Raise", reference="Minutes")
    client = login(users["officer"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("scenarios:detail", args=[scenario.pk])).text
    assert f"Scenario {scenario.pk}: Raise" in page
    main = page.split("<main")[1].split("</main>")[0]
    main = re.sub(r'<dd id="changes">.*?</dd>', "", main, flags=re.S)  # value_text's wording
    main = re.sub(r'<span class="muted">（[^<]*）</span>', "", main)  # the chart's unit
    main = re.sub(r"<script.*?</script>", "", main, flags=re.S)
    for name in ("officer", str(users["officer"])):
        main = main.replace(name, "")
    assert not FULL_WIDTH.findall(re.sub(r"<[^>]+>", " ", main))
    assert "Programme" not in main and "option) option" not in main
    listing = client.get(reverse("scenarios:list")).text
    assert ">Measure</button>" in listing and "Measured</button>" not in listing
    assert "、" not in listing.split('id="proposals"')[1].split("</table>")[0]
