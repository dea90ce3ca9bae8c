"""Fraud decisions issued before the penalty procedure was recorded on the recovery: the
recovery is marked decided on the day its decision was issued, so its procedure page says so and
no statement can be recorded after the decision (nothing else is inferred: the prior notice, if
any, was served outside the platform)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def mark_decided(apps: Any, schema_editor: Any) -> None:
    issued = apps.get_model("documents", "IssuedDocument")
    recovery = apps.get_model("payments", "Recovery")
    decisions = issued.objects.filter(kind="fraud_decision", recovery__isnull=False).order_by(
        "issued_at"
    )
    for document in decisions:
        day = timezone.localdate(document.issued_at)
        recovery.objects.filter(pk=document.recovery_id, penalty_decided_on__isnull=True).update(
            penalty_decided_on=day
        )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_penalty_notice_kind"),
        ("payments", "0009_recovery_penalty_procedure"),
    ]

    operations = [migrations.RunPython(mark_decided, migrations.RunPython.noop)]
