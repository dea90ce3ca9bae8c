"""The chart component (core.charts, core/_chart.html): data, table view, no inline script."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from jiuzhu.web.core.charts import Chart, Series


def chart(**extra: object) -> Chart:
    return Chart(
        key="cost-by-township",
        title="测算成本",
        categories=["宝平街道", "钰华街道"],
        series=[
            Series("现行", [Decimal("1530"), Decimal("300")]),
            Series("方案", [Decimal("12305.27"), None]),
        ],
        unit="元",
        **extra,  # type: ignore[arg-type]
    )


def counts(values: list[int | None]) -> Chart:
    return Chart(
        key="households",
        title="户数",
        categories=[f"m{i}" for i in range(len(values))],
        series=[Series("户数", values)],
        unit="户",
    )


def _data(html: str, key: str) -> dict[str, object]:
    start = html.index(f'<script id="chart-data-{key}" type="application/json">')
    found = json.loads(html[start:].split(">", 1)[1].split("</script>", 1)[0])
    assert isinstance(found, dict)
    return found


def test_the_rows_format_yuan_with_two_decimals_and_separators() -> None:
    assert chart().rows == [
        ("宝平街道", ["1,530.00", "12,305.27"]),
        ("钰华街道", ["300.00", "—"]),
    ]


def test_counts_show_as_integers_with_separators_and_tick_whole_numbers() -> None:
    found = counts([12345, 0, None])
    assert found.rows == [("m0", ["12,345"]), ("m1", ["0"]), ("m2", ["—"])]
    assert found.data["decimals"] == 0  # the script gives the axis minInterval 1


def test_the_decimals_can_be_given() -> None:
    share = Chart(key="x", title="x", categories=["a"], series=[Series("s", [86.5])], decimals=1)
    assert share.rows == [("a", ["86.5"])] and share.data["decimals"] == 1


def test_the_header_names_the_categories_and_the_unit() -> None:
    assert chart(category_label="乡镇（街道）").headers == [
        "乡镇（街道）",
        "现行（元）",
        "方案（元）",
    ]
    html = render_to_string("core/_chart.html", {"chart": chart()})
    assert "<th></th>" not in html and "<th>类别</th>" in html


def test_english_brackets_the_unit_with_ascii_punctuation() -> None:
    with translation.override("en"):
        english = chart(category_label="Township")
        assert english.headers == ["Township", "现行 (元)", "方案 (元)"]
        html = render_to_string("core/_chart.html", {"chart": english})
    assert "（" not in html and "(元)" in html


def test_a_series_must_have_a_value_per_category() -> None:
    with pytest.raises(ValueError, match="value count"):
        Chart(key="x", title="x", categories=["a"], series=[Series("s", [1, 2])])


def test_the_template_holds_the_table_and_the_data_as_json_not_script() -> None:
    html = render_to_string("core/_chart.html", {"chart": chart()})
    assert "<td>钰华街道</td>" in html and "—" in html  # a missing value shows as a dash
    data = _data(html, "cost-by-township")
    assert data["series"] == [
        {"name": "现行", "values": [1530.0, 300.0]},
        {"name": "方案", "values": [12305.27, None]},
    ]
    assert data["categories"] == ["宝平街道", "钰华街道"]
    assert 'data-chart="chart-data-cost-by-township"' in html
    # The canvas shows only once the script draws it: without script the table is the chart.
    assert 'class="chart-canvas" role="img" aria-label="测算成本" hidden' in html


def test_the_saved_image_takes_the_export_title_and_unit() -> None:
    assert (
        _data(render_to_string("core/_chart.html", {"chart": chart()}), "cost-by-township")[
            "export_title"
        ]
        == "测算成本（元）"
    )
    named = chart(export_title="方案一：测算成本")
    html = render_to_string("core/_chart.html", {"chart": named})
    assert _data(html, "cost-by-township")["export_title"] == "方案一：测算成本（元）"


def test_a_chart_without_any_value_says_so_in_its_place() -> None:
    empty = counts([None, None])
    assert empty.empty
    html = render_to_string("core/_chart.html", {"chart": empty})
    assert "chart-empty" in html and "没有可绘制的数值" in html
    assert "chart-canvas" not in html and "data-chart-save" not in html
    assert "<td>m0</td>" in html  # the table stays
    noted = replace(empty, empty_note="各格均已隐藏")
    assert "各格均已隐藏" in render_to_string("core/_chart.html", {"chart": noted})
