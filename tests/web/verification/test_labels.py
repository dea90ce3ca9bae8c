"""The report's labels of the verification pipeline's codes (needs Django's translations)."""

from __future__ import annotations

from jiuzhu.batch.pipelines.verify import common
from jiuzhu.web.verification.labels import ITEM_TITLES, SOURCE_TITLES


def test_every_item_and_source_has_a_label_in_the_users_language() -> None:
    """The report shows the comparisons' codes through translated labels: one for each, with
    the same Chinese words as the record keeps."""
    assert {k: str(v) for k, v in ITEM_TITLES.items()} == common.LABELS
    assert {k: str(v) for k, v in SOURCE_TITLES.items()} == common.SOURCE_LABELS
