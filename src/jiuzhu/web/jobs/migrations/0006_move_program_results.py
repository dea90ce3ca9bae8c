"""Move each stored household's results from the per-program columns of ``AssessedHousehold``
into ``AssessedProgram`` rows (one per program with a result), and back when reversed."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BUILT_IN = ("dibao", "near_dibao", "tekun", "rigid_expenditure")
"""The programs that had columns (those of the batch assessments stored before this one)."""

BATCH = 2000
"""Rows read and written at a time."""


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    household = apps.get_model("jobs", "AssessedHousehold")
    program = apps.get_model("jobs", "AssessedProgram")
    columns = [f"{p}_{part}" for p in BUILT_IN for part in ("result", "amount", "reasons")]
    found = []
    for row in household.objects.values("pk", "job_id", *columns).iterator(chunk_size=BATCH):
        found += [
            program(
                job_id=row["job_id"],
                household_id=row["pk"],
                program=name,
                result=row[f"{name}_result"],
                amount=row[f"{name}_amount"],
                reasons=row[f"{name}_reasons"],
            )
            for name in BUILT_IN
            if row[f"{name}_result"]
        ]
        if len(found) >= BATCH:
            program.objects.bulk_create(found)
            found = []
    program.objects.bulk_create(found)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    household = apps.get_model("jobs", "AssessedHousehold")
    program = apps.get_model("jobs", "AssessedProgram")
    for name in BUILT_IN:
        rows = program.objects.filter(program=name)
        for pk, result, amount, reasons in rows.values_list(
            "household_id", "result", "amount", "reasons"
        ).iterator(chunk_size=BATCH):
            household.objects.filter(pk=pk).update(
                **{f"{name}_result": result, f"{name}_amount": amount, f"{name}_reasons": reasons}
            )
    program.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0005_assessed_program"),
    ]

    operations = [migrations.RunPython(forward, backward)]
