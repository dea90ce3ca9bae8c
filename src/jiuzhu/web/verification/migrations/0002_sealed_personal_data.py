"""The IDs of the departments' records sealed at rest, matched by a keyed hash (issue 12)."""

from django.db import migrations, models

import jiuzhu.web.core.fields
from jiuzhu.web.core import sealing

RECORDS = sealing.Table(
    "verification_departmentrecord",
    ("resident_id",),
    (),
    (("resident_id_hash", "resident_id", "hash"),),
)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="departmentrecord",
            name="verificatio_residen_e98d0d_idx",
        ),
        migrations.AddField(
            model_name="departmentrecord",
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
        migrations.AlterField(
            model_name="departmentrecord",
            name="resident_id",
            field=jiuzhu.web.core.fields.SealedCharField(
                max_length=18, verbose_name="公民身份号码"
            ),
        ),
        # Every stored ID sealed and hashed, in batches (reverse: opened back to clear text).
        migrations.RunPython(*sealing.migration([RECORDS]), elidable=False),
        migrations.AddIndex(
            model_name="departmentrecord",
            index=models.Index(
                fields=["resident_id_hash", "source"], name="verificatio_residen_1ff3fb_idx"
            ),
        ),
    ]
