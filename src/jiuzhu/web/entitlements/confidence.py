"""How the confidence of a procedural number (``jiuzhu.rules.procedure``) is shown: pages that
rely on a low-confidence value say so."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS = {
    "high": _("高"),
    "medium": _("中"),
    "low": _("低（依据不足，待核实）"),
    "unknown": _("未知"),
    "local": _("本地（区民政局录入并复核）"),
}
"""How a confidence is shown."""
