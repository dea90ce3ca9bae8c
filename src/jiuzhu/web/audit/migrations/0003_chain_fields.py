"""The chain's fields (filled for the existing events by 0004, made required by 0005) and the
record of verifications. ``at`` takes its default instead of ``auto_now_add``: the time is
hashed, so it must be set before the insert, not while saving."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_household_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="前一事件的哈希值"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="哈希值"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="时间"
            ),
        ),
        migrations.CreateModel(
            name="ChainCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
                ),
                ("events", models.BigIntegerField(verbose_name="校验的事件数")),
                ("last_sequence", models.BigIntegerField(verbose_name="完好至序号")),
                (
                    "last_hash",
                    models.CharField(max_length=64, verbose_name="完好部分最后的哈希值"),
                ),
                ("intact", models.BooleanField(verbose_name="完好")),
                ("problem", models.JSONField(blank=True, null=True, verbose_name="断裂之处")),
                ("seconds", models.FloatField(verbose_name="用时（秒）")),
            ],
            options={
                "verbose_name": "审计链校验",
                "verbose_name_plural": "审计链校验",
                "ordering": ("-at", "-id"),
            },
        ),
    ]
