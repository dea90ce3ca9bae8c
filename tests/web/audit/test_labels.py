"""Every action the code base records has a label in Chinese and English, and every key it keeps
in an event has a label (found statically: ``tests.web.audit.recorded``)."""

from __future__ import annotations

import re

from django.apps import apps
from django.utils import translation

from jiuzhu.web.audit.labels import ACTIONS, KEYS, Kind, check_choices, model_key, resolve
from jiuzhu.web.cases.workflow import APPLICATION
from tests.web.audit.recorded import scan

CJK = re.compile(r"[\u4e00-\u9fff]")

DYNAMIC = {
    # Income components and the declared monetary assets: rules variables (wage_income …),
    # covered by the events test, which declares and verifies.
    "registry/actions.py:declare: before (a comprehension)",
    "registry/actions.py:declare: after[component]",
    # Household fields found by verification (``HOUSEHOLD_FIELDS``): model fields.
    "verification/actions.py:_write_household_values: before[name]",
    "verification/actions.py:_write_household_values: after[name]",
    # ``income:<person>:<component>`` and ``asset:<person>`` (``labels.PATTERNS``).
    "verification/actions.py:run_verification: before = _write_person_values(registry, findings)",
    "verification/actions.py:run_verification: after = _write_person_values(registry, findings)",
    # A bank account's fields (``accounts._snapshot``: bank, masked number, holder, status) and
    # a payroll move's details (the reason of a send-back, the move's own details): covered by
    # the events test's payroll flow, which records, checks and pays into an account.
    "payments/accounts.py:record_account: _snapshot(account)",
    "payments/common.py:sign_off: **extra",
}
"""Keys the scan cannot follow, each covered by ``test_events`` (which runs the action)."""


def all_codes() -> set[str]:
    """Every action code: the literals of ``record(...)`` and the application's moves
    (``cases.actions._move`` records ``cases.<move>``)."""
    return set(scan().actions) | {f"cases.{name}" for name in APPLICATION.moves}


def test_every_action_has_a_label_in_chinese_and_english() -> None:
    missing = sorted(all_codes() - set(ACTIONS))
    assert not missing, f"actions without a label in jiuzhu.web.audit.labels: {missing}"
    with translation.override("en"):
        untranslated = sorted(c for c in ACTIONS if CJK.search(str(ACTIONS[c])))
    assert not untranslated, f"actions without an English label: {untranslated}"


def test_every_recorded_key_has_a_label() -> None:
    """A key recorded with an action reads through the action's keys, a field of a model of
    the action's app, the detail keys or a rules variable; never raw."""
    found = scan()
    unlabelled = []
    for code, key in sorted(found.pairs):
        app = code.split(".")[0]
        models = [f"{app}.{m._meta.model_name}" for m in apps.get_app_config(app).get_models()]
        if not any(resolve(code, model, key).label for model in [*models, ""]):
            unlabelled.append(f"{code}: {key} ({found.keys[key]})")
    assert not unlabelled, "keys without a label:\n" + "\n".join(unlabelled)


def _model_named(expression: str) -> str | None:
    """The model a ``snapshot`` argument names (``person`` → ``registry.person``), if one."""
    name = expression.rsplit(".", maxsplit=1)[-1].lower()
    found = [m._meta.label_lower for m in apps.get_models() if m._meta.model_name == name]
    return found[0] if len(found) == 1 else None


def test_every_field_of_a_whole_snapshot_is_labelled() -> None:
    """``snapshot(obj)`` of every field (or of a list the scan cannot read): every field of the
    object's model reads with a label."""
    for where, expression in scan().snapshot_objects.items():
        model_label = _model_named(expression)
        assert model_label is not None, f"{where}: snapshot({expression}) of which model?"
        for field in apps.get_model(model_label)._meta.concrete_fields:
            resolved = model_key(model_label, field.name)
            assert resolved is not None and (resolved.label or resolved.key.kind is Kind.HIDDEN), (
                f"{model_label}.{field.name} has no verbose name ({where})"
            )


def test_nothing_recorded_escapes_the_scan_unexplained() -> None:
    assert set(scan().unresolved) <= DYNAMIC


def test_detail_keys_read_in_english() -> None:
    with translation.override("en"):
        labels = {name: str(key.label) for name, key in KEYS.items()}
    assert not [name for name, label in labels.items() if CJK.search(label)]


def test_declared_choices_resolve() -> None:
    assert check_choices() == []
