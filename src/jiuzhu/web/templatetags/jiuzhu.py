"""Template filters: money in fen shown as yuan, masked names."""

from __future__ import annotations

from django import template

from jiuzhu.rules.engine.units import format_yuan
from jiuzhu.web.audit.labels import action_label
from jiuzhu.web.audit.presenting import describe
from jiuzhu.web.core.masking import mask_id, mask_name

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """1234550 → 12,345.50 (blank for None)."""
    return "" if fen is None else format_yuan(int(fen))


register.filter("mask_id", mask_id)
register.filter("audit_action", action_label)
# ``{{ event.after|audit_values:event }}``: labelled values (with the event: its model's field
# labels and choices too); ``{{ event.action|audit_action }}``: the action's label.
register.filter("audit_values", describe)
register.filter("mask_name", mask_name)
