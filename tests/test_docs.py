"""The documentation names what the code does."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from jiuzhu.rules import load_system
from jiuzhu.rules.registry import Payment, Program

DOCS = Path(__file__).parents[1] / "docs"


def test_every_input_column_is_documented() -> None:
    text = (DOCS / "input-format.md").read_text(encoding="utf-8")
    missing = [
        v.name
        for v in load_system("tianjin").variables.values()
        if v.is_input and f"`{v.name}`" not in text
    ]
    assert missing == []


def test_decision_records_are_numbered_and_titled() -> None:
    records = sorted((DOCS / "decisions").glob("*.md"))
    assert [r.name[:4] for r in records] == [f"{i:04d}" for i in range(1, len(records) + 1)]
    for record in records:
        assert record.read_text(encoding="utf-8").startswith(f"# {record.name[:4]} — ")


def test_every_feed_field_and_header_is_documented() -> None:
    from jiuzhu.feeds.base import SPECS, sources

    sources()
    text = (DOCS / "feeds.md").read_text(encoding="utf-8")
    missing = [
        f"{source}.{f.name} {header}"
        for source, spec in SPECS.items()
        for f in spec.fields
        for header in f.headers
        if f"`{f.name}`" not in text or header not in text
    ]
    assert missing == []
    assert all(f"`{source}`" in text for source in SPECS)


def test_adding_a_program_names_every_field_of_the_registry() -> None:
    text = (DOCS / "adding-a-program.md").read_text(encoding="utf-8")
    missing = [f.name for f in fields(Program) if f"`{f.name}`" not in text]
    missing += [p.name for p in Payment if p.name not in text]
    assert missing == []
