"""How audit events read to people: Chinese names of actions and fields, money in yuan."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jiuzhu.rules import load_system
from jiuzhu.rules.engine.units import format_yuan

ACTIONS = {
    "registry.import": _("导入登记库"),
    "registry.import_workbook": _("导入工作簿"),
    "registry.add_member": _("添加成员"),
    "registry.update_person": _("修改人员信息"),
    "registry.declare": _("申报收入和财产"),
    "registry.view_unmasked": _("查看完整身份证号"),
    "verification.run": _("家庭经济状况核对"),
    "verification.household_values": _("核对更新家庭财产"),
}
MONEY_FIELDS = frozenset({"monetary_assets", "business_capital", "amount", "monthly_amount"})


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def field_label(name: str) -> str:
    variable = load_system("tianjin").variables.get(name)
    return variable.label if variable is not None else name


def is_money(name: str) -> bool:
    variable = load_system("tianjin").variables.get(name)
    return name in MONEY_FIELDS or (variable is not None and variable.unit.money)


def describe(values: dict[str, Any] | None) -> str:
    """``{'wage_income': 100000}`` → ``工资性收入（月均）：1,000.00 元``."""
    if not values:
        return ""
    parts = []
    for name, value in values.items():
        shown = format_yuan(int(value)) + " 元" if is_money(name) and value is not None else value
        parts.append(f"{field_label(name)}：{shown if shown is not None else '—'}")
    return "；".join(parts)
