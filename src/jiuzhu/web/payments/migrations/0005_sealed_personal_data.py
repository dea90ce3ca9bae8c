"""Bank account numbers and holders' IDs sealed at rest (issue 12)."""

from django.db import migrations

import jiuzhu.web.core.fields
from jiuzhu.web.core import sealing

TABLES = [
    sealing.Table("payments_bankaccount", ("account_number", "holder_id")),
    sealing.Table("payments_bankreturnrow", ("account_number",)),
]


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_program_choices_from_registry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bankaccount",
            name="account_number",
            field=jiuzhu.web.core.fields.SealedCharField(max_length=32, verbose_name="银行账号"),
        ),
        migrations.AlterField(
            model_name="bankaccount",
            name="holder_id",
            field=jiuzhu.web.core.fields.SealedCharField(
                blank=True,
                help_text="空白：登记于要求填写持卡人身份证号之前",
                max_length=18,
                verbose_name="持卡人身份证号",
            ),
        ),
        migrations.AlterField(
            model_name="bankreturnrow",
            name="account_number",
            field=jiuzhu.web.core.fields.SealedCharField(max_length=32, verbose_name="银行账号"),
        ),
        # Every stored account number sealed, in batches (reverse: opened back to clear text).
        migrations.RunPython(*sealing.migration(TABLES), elidable=False),
    ]
