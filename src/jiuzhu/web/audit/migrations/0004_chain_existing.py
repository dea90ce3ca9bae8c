"""Chain the events recorded before the chain existed, in id order (the order they were
recorded in), with the same hash as new events (``audit.chain``)."""

from typing import Any

from django.db import migrations

from jiuzhu.web.audit import chain

BATCH = 2000


def chain_existing(apps: Any, schema_editor: Any) -> None:
    event = apps.get_model("audit", "AuditEvent")
    previous = chain.GENESIS
    pending: list[Any] = []
    rows = event.objects.order_by("pk").iterator(chunk_size=BATCH)
    for sequence, found in enumerate(rows, start=1):
        found.sequence, found.prev_hash = sequence, previous
        found.hash = previous = chain.digest(chain.fields_of(found))
        pending.append(found)
        if len(pending) == BATCH:
            event.objects.bulk_update(pending, ["sequence", "prev_hash", "hash"])
            pending = []
    if pending:
        event.objects.bulk_update(pending, ["sequence", "prev_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_chain_fields"),
        # Its events (the conversion of 15-digit IDs) are chained with the others.
        ("registry", "0003_resident_ids_18"),
    ]

    operations = [
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=True),
    ]
