"""The chart component (core.charts, core/_chart.html): data, table view, no inline script."""

from __future__ import annotations

import json

import pytest
from django.template.loader import render_to_string

from jiuzhu.web.core.charts import Chart, Series


def chart() -> Chart:
    return Chart(
        key="cost-by-township",
        title="测算成本",
        categories=["宝平街道", "钰华街道"],
        series=[Series("现行", [1200.5, 300]), Series("方案", [1300, None])],
        unit="元",
    )


def test_the_rows_give_a_value_per_series_and_category() -> None:
    assert chart().rows == [("宝平街道", [1200.5, 1300]), ("钰华街道", [300, None])]


def test_a_series_must_have_a_value_per_category() -> None:
    with pytest.raises(ValueError, match="value count"):
        Chart(key="x", title="x", categories=["a"], series=[Series("s", [1, 2])])


def test_the_template_holds_the_table_and_the_data_as_json_not_script() -> None:
    html = render_to_string("core/_chart.html", {"chart": chart()})
    assert "<td>钰华街道</td>" in html and "—" in html  # a missing value shows as a dash
    start = html.index('<script id="chart-data-cost-by-township" type="application/json">')
    data = json.loads(html[start:].split(">", 1)[1].split("</script>", 1)[0])
    assert data["series"][1] == {"name": "方案", "values": [1300.0, None]}
    assert data["categories"] == ["宝平街道", "钰华街道"]
    assert 'data-chart="chart-data-cost-by-township"' in html
