"""Runs every YAML policy case under tests/rules (see policy_cases.py for the format)."""

from __future__ import annotations

import pytest

from tests.rules.policy_cases import PolicyCase, check_case, load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_policy_case(case: PolicyCase) -> None:
    """The computed values equal the case's expected values."""
    problems = check_case(case.spec)
    assert not problems, f"{case.file.name}: {case.name}\n" + "\n".join(problems)
