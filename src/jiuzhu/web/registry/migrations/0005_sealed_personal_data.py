"""Personal data sealed at rest (issue 12): the ID numbers of people and obligors, and the health
fields, become ciphertext (core.crypto); a keyed hash (exact lookup) and a plain last-four
column (the generated one read the ID in clear) are filled from them. Reversible: the reverse
opens every value back to clear text."""

from django.db import migrations, models

import jiuzhu.web.core.choices
import jiuzhu.web.core.fields
from jiuzhu.web.core import sealing

PERSON = sealing.Table(
    "registry_person",
    ("resident_id", "serious_illness", "special_outpatient_disease"),
    ("special_outpatient_disease",),
    (("resident_id_hash", "resident_id", "hash"), ("resident_id_tail", "resident_id", "tail")),
)
OBLIGOR = sealing.Table(
    "registry_obligor", ("resident_id",), (), (("resident_id_hash", "resident_id", "hash"),)
)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_person_resident_id_tail"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="person", name="person_id_tail"),
        migrations.RemoveField(model_name="person", name="resident_id_tail"),
        migrations.AlterField(
            model_name="person",
            name="resident_id",
            field=jiuzhu.web.core.fields.SealedCharField(
                max_length=18, verbose_name="公民身份号码"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="serious_illness",
            field=jiuzhu.web.core.fields.SealedCharField(
                choices=jiuzhu.web.core.choices.code_choices("serious_illness"),
                default="none",
                max_length=32,
                verbose_name="重特大疾病病种",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="special_outpatient_disease",
            field=jiuzhu.web.core.fields.SealedBooleanField(
                default=False, verbose_name="门诊特殊病"
            ),
        ),
        migrations.AlterField(
            model_name="obligor",
            name="resident_id",
            field=jiuzhu.web.core.fields.SealedCharField(
                blank=True, max_length=18, verbose_name="义务人身份证号"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="resident_id_hash",
            field=jiuzhu.web.core.fields.SearchHashField(
                verbose_name="身份证号检索码",
                blank=True,
                default="",
                editable=False,
                max_length=64,
                source="resident_id",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="person",
            name="resident_id_tail",
            field=jiuzhu.web.core.fields.TailField(
                blank=True,
                default="",
                editable=False,
                max_length=4,
                source="resident_id",
                verbose_name="身份证号末4位",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="obligor",
            name="resident_id_hash",
            field=jiuzhu.web.core.fields.SearchHashField(
                verbose_name="身份证号检索码",
                blank=True,
                db_index=True,
                default="",
                editable=False,
                max_length=64,
                source="resident_id",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(*sealing.migration([PERSON, OBLIGOR]), elidable=False),
        migrations.AlterField(
            model_name="person",
            name="resident_id_hash",
            field=jiuzhu.web.core.fields.SearchHashField(
                verbose_name="身份证号检索码",
                blank=True,
                editable=False,
                max_length=64,
                source="resident_id",
                unique=True,
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["resident_id_tail"], name="person_id_tail"),
        ),
    ]
