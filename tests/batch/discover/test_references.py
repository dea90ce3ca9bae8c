"""The catalogue's references are what a caseworker reads on the alert page: each names the legal
document by its title (and number where it has one), never the project's internal notes; a
threshold no legal text sets says so in words."""

from __future__ import annotations

import re

from jiuzhu.batch.pipelines.discover.catalogue import catalogue

INTERNAL = re.compile(
    r"spec|addendum|decision|§|MON-\d|CH-\d|\bQ\d+\b|\bC\d+\b|\.md\b|docs/", re.IGNORECASE
)
"""Internal references: the policy notes (spec.md §2.9, addendum decision 10, Q13), case ids."""
DOCUMENT = re.compile(r"《[^》]+》|〔\d{4}〕\d+号")
"""A document's title in 《》, or a document number such as 津民发〔2023〕23号."""
NO_SOURCE = ("无法规依据", "无专门法规依据", "未找到", "本平台设定")
"""How a reference says that no legal text gives the value."""


def _references() -> list[tuple[str, str, str]]:
    """(where, reference, confidence) of every signal and every dated parameter value."""
    found = []
    for code, signal in catalogue().items():
        found.append((code, signal.reference, "high"))
        for name, parameter in signal.parameters.items():
            for value in parameter.values:
                where = f"{code}.{name} {value.start}"
                found.append((where, value.reference, value.confidence_for(None)))
    return found


def test_no_reference_names_an_internal_note() -> None:
    bad = [(where, text) for where, text, _c in _references() if INTERNAL.search(text)]
    assert not bad, bad


def test_every_signal_names_a_legal_document_or_says_it_has_none() -> None:
    for code, signal in catalogue().items():
        text = signal.reference
        assert DOCUMENT.search(text) or text.startswith(NO_SOURCE), code


def test_a_value_without_a_legal_source_says_so_in_words() -> None:
    for where, text, confidence in _references():
        if "." not in where:
            continue
        named = DOCUMENT.search(text)
        if confidence in ("low", "unknown") or not named:
            assert named or any(words in text for words in NO_SOURCE), (where, text)
