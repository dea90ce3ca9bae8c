"""The keyed hash of the last six characters of a person's ID (``Person.resident_id_ending``):
the search by an ID's end of six characters or more looks it up by index instead of opening
every ID that shares the last four (issue 12's load figures). Existing rows get it from their
ID, in batches (``core.sealing``); the index is built after they have it."""

from typing import Any

from django.db import migrations, models

import jiuzhu.web.core.fields
from jiuzhu.web.core import sealing

PERSON = sealing.Table(
    "registry_person",
    ("resident_id",),
    companions=(("resident_id_ending", "resident_id", "ending"),),
)


def fill(apps: Any, schema_editor: Any) -> None:
    sealing.process(PERSON, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_sealed_personal_data")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="resident_id_ending",
            field=jiuzhu.web.core.fields.EndingHashField(
                blank=True,
                editable=False,
                max_length=64,
                source="resident_id",
                verbose_name="身份证号末6位检索码",
            ),
        ),
        # Back: the column goes with the field.
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["resident_id_ending"], name="person_id_ending"),
        ),
    ]
