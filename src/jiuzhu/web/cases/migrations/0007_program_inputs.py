"""The application's own inputs to the rules in one JSON field: temporary assistance's type (a
column until now) and the amount given first move into it."""

from typing import Any

from django.db import migrations, models


def _copy_type(apps: Any, schema_editor: Any) -> None:
    Application = apps.get_model("cases", "Application")
    for application in Application.objects.exclude(temporary_type=""):
        inputs = {"temporary_assistance_type": application.temporary_type}
        if application.helped_amount is not None:
            inputs["temporary_assistance_requested"] = application.helped_amount
        application.program_inputs = inputs
        application.save(update_fields=["program_inputs"])


def _restore_type(apps: Any, schema_editor: Any) -> None:
    Application = apps.get_model("cases", "Application")
    for application in Application.objects.exclude(program_inputs={}):
        kind = application.program_inputs.get("temporary_assistance_type")
        if kind:
            application.temporary_type = kind
            application.save(update_fields=["temporary_type"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_fast_path")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="program_inputs",
            field=models.JSONField(blank=True, default=dict, verbose_name="申请填报事项"),
        ),
        migrations.RunPython(_copy_type, _restore_type),
        migrations.RemoveField(model_name="application", name="temporary_type"),
    ]
