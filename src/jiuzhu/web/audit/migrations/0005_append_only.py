"""Every event has its number, and the trail is append-only in the database (triggers per
vendor: ``audit.protection``)."""

from typing import Any

from django.db import migrations, models

from jiuzhu.web.audit import protection


def install(apps: Any, schema_editor: Any) -> None:
    for statement in protection.install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, None)


def remove(apps: Any, schema_editor: Any) -> None:
    for statement in protection.remove_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_chain_existing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(unique=True, verbose_name="序号"),
        ),
        migrations.RunPython(install, remove),
    ]
