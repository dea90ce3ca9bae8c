"""The alert page speaks the user's language: the evidence of every signal shows labels, never
codes, field names, booleans, fen or unmasked ID numbers, and the references name the legal
document, never the project's notes — checked on the rendered page of every signal the
synthetic test district produces (in Chinese and in English), and on the evidence of every
signal a larger synthetic district produces (no database)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from jiuzhu.web.accounts.models import User
from jiuzhu.web.discovery.evidence import MONEY_FIELDS, evidence_sections
from jiuzhu.web.discovery.models import Alert
from tests.web.conftest import PASSWORD

CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
"""A snake_case identifier: a code or a field name (disability_category, compulsory_…)."""
RAW = re.compile(r"\b(?:true|false|True|False|None|null|nan)\b")
INTERNAL = re.compile(
    r"spec\.md|addendum|decision \d|§|MON-\d|CH-\d|\bQ\d+\b|\bC\d{1,2}\b|discover\.[A-Z]"
)
"""Internal references (policy notes, case ids) and parameter names."""
UNMASKED_ID = re.compile(r"(?<![0-9A-Za-z*])\d{17}[\dXx]")
LATIN_WORD = re.compile(r"\b[a-z]{2,}\b")
"""On a Chinese page, a lower-case Latin word is an English identifier or a code."""


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _section(page: str, element_id: str) -> str:
    start = page.index(">", page.index(f'id="{element_id}"')) + 1
    return page[start : page.index("</section>", start)]


def _problems(text: str, chinese: bool) -> list[str]:
    found = [
        m.group(0) for pattern in (CODE, RAW, INTERNAL, UNMASKED_ID) for m in pattern.finditer(text)
    ]
    if chinese:
        found += LATIN_WORD.findall(text)
    return found


def _fen_shown(evidence: dict[str, Any], text: str) -> list[str]:
    record = evidence.get("record") or {}
    return [
        f"{key}={value}"
        for key, value in record.items()
        if key in MONEY_FIELDS and isinstance(value, int) and value >= 1000 and str(value) in text
    ]


@pytest.mark.django_db
def test_every_signal_of_the_district_renders_labels_and_legal_references(
    district_folder: Path, users: dict[str, User], settings: Any
) -> None:
    from jiuzhu.web.discovery.actions import import_register, run_discovery

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    import_register(None, district_folder / "register.parquet")
    run_discovery(None, "2025-10", folder=district_folder / "feeds")
    first = {}
    for alert in Alert.objects.order_by("pk"):
        first.setdefault(alert.signal, alert)
    assert len(first) >= 5, sorted(first)
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        for signal, alert in first.items():
            page = client.get(f"/discovery/alerts/{alert.pk}/").content.decode()
            main = _text(page[page.index("<main") :])
            evidence = _text(_section(page, "evidence"))
            problems = _problems(main, chinese=False) + _problems(
                evidence, chinese=language != "en"
            )
            problems += _fen_shown(alert.evidence, evidence)
            assert not problems, (language, signal, problems, evidence)
            assert "依据" in evidence or "Legal basis" in evidence or "Basis" in evidence


@pytest.fixture(scope="module")
def wide_alerts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """One alert row of every signal a larger synthetic district raises (batch only)."""
    from jiuzhu.batch.pipelines.discover import discover
    from jiuzhu.batch.pipelines.discover.files import read_inputs
    from jiuzhu.synth.run import synthesise

    folder = tmp_path_factory.mktemp("wide-district")
    synthesise(folder, scale=0.03, seed=7, on=dt.date(2025, 10, 15))
    rows: dict[str, dict[str, Any]] = {}
    for row in discover(read_inputs(folder), "2025-10").iter_rows(named=True):
        rows.setdefault(row["signal"], row)
    return rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_evidence_of_every_signal_is_labelled(
    wide_alerts: dict[str, dict[str, Any]], language: str
) -> None:
    assert len(wide_alerts) >= 15, sorted(wide_alerts)
    for signal, row in wide_alerts.items():
        evidence = json.loads(row["evidence"])
        alert = Alert(signal=signal, month=row["month"], evidence=evidence)
        with translation.override(language):
            sections = evidence_sections(alert)
            text = " ".join(
                str(part)
                for section in sections
                for part in (
                    section["title"],
                    section.get("text", ""),
                    *(x for pair in section.get("pairs", []) for x in pair),
                    *section.get("headers", []),
                    *(cell for r in section.get("rows", []) for cell in r),
                )
            )
        problems = _problems(text, chinese=language != "en") + _fen_shown(evidence, text)
        assert not problems, (language, signal, problems, text)
