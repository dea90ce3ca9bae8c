"""Charts and list cards on a phone (390 px) and on a laptop, in a real browser: the value
axis' labels compact (万 / k) with fewer ticks and no overlap, counts tick whole numbers, the
last value label stays inside the chart, category labels are shortened and the chart is as tall
as its categories need; the saved image carries the title above the chart; a table's card keeps
a wrapped value in its column. Screenshots under ``test-artifacts/screenshots/charts-*``."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest

from jiuzhu.web.accounts.models import DISTRICT_CODE, Role
from jiuzhu.web.demo.plan import seed_plan
from tests.web.browser.support import login, needs_chromium, set_today, shot
from tests.web.conftest import ON, make_user

pytestmark = needs_chromium

BEDS = "#chart-plan-beds-by-township"

AXES = """(selector) => {
  const box = document.querySelector(selector + " .chart-canvas");
  const option = echarts.getInstanceByDom(box).getOption();
  const value = option.xAxis[0], category = option.yAxis[0];
  return {
    height: box.clientHeight,
    categories: category.data.length,
    minInterval: value.minInterval,
    hideOverlap: value.axisLabel.hideOverlap && category.axisLabel.hideOverlap,
    alignMaxLabel: value.axisLabel.alignMaxLabel,
    label: value.axisLabel.formatter(35000),
    labelWidth: category.axisLabel.width,
  };
}"""

CARDS = """() => {
  // Every line of a card's value starts right of its label's column.
  const misplaced = [];
  document.querySelectorAll("table.stack td[data-label]").forEach((td) => {
    if (!td.offsetParent || !td.textContent.trim()) { return; }
    const range = document.createRange();
    range.selectNodeContents(td);
    const column = td.getBoundingClientRect().left + td.clientWidth * 0.3;
    for (const rect of range.getClientRects()) {
      if (rect.width > 0 && rect.left < column) { misplaced.push(td.textContent.trim()); break; }
    }
  });
  return misplaced;
}"""


def _size(png: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    return width, height


@pytest.mark.django_db(transaction=True)
def test_charts_and_cards_read_on_a_phone(
    committed_district: None, live_server: Any, browser_page: Any, settings: Any, tmp_path: Path
) -> None:
    set_today(settings, ON)
    officer = make_user("officer", Role.DISTRICT_OFFICER, DISTRICT_CODE)
    seed_plan(officer)
    page, base = browser_page, live_server.url
    login(page, base, "officer")

    # A phone, in Chinese: compact labels, whole-number ticks, every township a row of its own.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/plan/")
    page.wait_for_selector(f"{BEDS} canvas")
    beds = page.evaluate(AXES, BEDS)
    assert beds["label"] == "3.5万" and beds["minInterval"] == 1 and beds["hideOverlap"]
    assert beds["alignMaxLabel"] == "right" and beds["labelWidth"] <= 90
    assert beds["height"] >= 20 * beds["categories"]
    coverage = page.evaluate(AXES, "#chart-plan-medical-coverage-by-township")
    assert coverage["minInterval"] is None  # a share, not a count
    shot(page, "charts-plan-390")
    assert page.evaluate(CARDS) == []
    page.goto(f"{base}/plan/facilities/")
    assert page.evaluate(CARDS) == []
    shot(page, "charts-facilities-390")

    # English: k for thousands; cards hold their values in English too.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/plan/")
    page.wait_for_selector(f"{BEDS} canvas")
    assert page.evaluate(AXES, BEDS)["label"] == "35k"
    page.goto(f"{base}/")
    assert page.evaluate(CARDS) == []

    # A laptop: exact labels; the saved image is the chart with its title above it.
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/plan/")
    page.wait_for_selector(f"{BEDS} canvas")
    assert page.evaluate(AXES, BEDS)["label"] == "35,000"
    drawn = page.locator(f"{BEDS} .chart-canvas").bounding_box()
    with page.expect_download() as saved:
        page.click(f"{BEDS} [data-chart-save]")
    image = tmp_path / "beds.png"
    saved.value.save_as(image)
    width, height = _size(image)
    assert drawn is not None and abs(width - drawn["width"] * 2) <= 2
    assert height > drawn["height"] * 2  # made taller by the title
    after = page.locator(f"{BEDS} .chart-canvas").bounding_box()
    assert after is not None and after["height"] == drawn["height"]  # and back as it was
