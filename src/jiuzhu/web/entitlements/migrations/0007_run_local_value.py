"""A standard-change run keeps the local value its new value is, so that its page names the
document and the officers in the reader's language; runs recorded before are linked to the
local value of their parameter and start (the one in force, else the latest entered)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def link_local_values(apps: Any, schema_editor: Any) -> None:
    Run = apps.get_model("entitlements", "StandardChangeRun")
    LocalValue = apps.get_model("localvalues", "LocalValue")
    for run in Run.objects.filter(parameter_confidence="local", local_value__isnull=True):
        start = (run.parameter_value or {}).get("start")
        if not start:
            continue
        value = (
            LocalValue.objects.filter(parameter=run.parameter_path, start=start)
            .order_by(models.Case(models.When(status="in_force", then=0), default=1), "-entered_at")
            .first()
        )
        if value is not None:
            run.local_value = value
            run.save(update_fields=["local_value"])


class Migration(migrations.Migration):
    dependencies = [
        ("entitlements", "0006_program_choices_from_registry"),
        ("localvalues", "0002_adopted"),
    ]

    operations = [
        migrations.AddField(
            model_name="standardchangerun",
            name="local_value",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="localvalues.localvalue",
                verbose_name="本地值",
            ),
        ),
        migrations.RunPython(link_local_values, migrations.RunPython.noop, elidable=True),
    ]
