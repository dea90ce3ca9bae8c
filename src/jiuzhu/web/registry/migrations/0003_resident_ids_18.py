"""Convert the registry's 15-digit resident IDs (GB 11643-1989) to the 18-digit form.

Discovery and verification match department records, which the feeds convert to 18 digits, to
the registry by ID: a person registered under the 15-digit form was silently never found. Each
conversion is an audit event (before and after); a number that cannot be converted (an
impossible birth date) or whose 18-digit form another person already holds is left as it is
and recorded, for a person to resolve.
"""

from typing import Any

from django.db import migrations
from django.db.models.functions import Length

from jiuzhu.feeds.ids import InvalidIdError, normalise

ACTION = "registry.convert_resident_id"


def _convert(apps: Any, schema_editor: Any) -> None:
    person_model = apps.get_model("registry", "Person")
    obligor_model = apps.get_model("registry", "Obligor")
    membership_model = apps.get_model("registry", "Membership")
    event_model = apps.get_model("audit", "AuditEvent")

    def record(kind: str, obj: Any, household_id: Any, old: str, new: str, note: str) -> None:
        household = apps.get_model("registry", "Household").objects.filter(pk=household_id)
        event_model.objects.create(
            action=ACTION,
            object_type=f"registry.{kind}",
            object_id=str(obj.pk),
            division_code=household.values_list("division_code", flat=True).first() or "",
            household_id=household_id,
            before={"resident_id": old},
            after={"resident_id": new} if new != old else None,
            detail={"note": note},
        )

    for model, kind in ((person_model, "person"), (obligor_model, "obligor")):
        legacy = model.objects.annotate(n=Length("resident_id")).filter(n=15).order_by("pk")
        for obj in legacy:
            old = obj.resident_id
            if kind == "person":
                household_id = (
                    membership_model.objects.filter(person_id=obj.pk)
                    .order_by("-valid_from")
                    .values_list("household_id", flat=True)
                    .first()
                )
            else:
                supported = membership_model.objects.filter(person_id=obj.supported_id)
                household_id = (
                    supported.order_by("-valid_from").values_list("household_id", flat=True).first()
                )
            try:
                new = normalise(old).number
            except InvalidIdError as exc:
                record(kind, obj, household_id, old, old, f"未能升级：{exc}")
                continue
            if kind == "person" and model.objects.filter(resident_id=new).exists():
                record(
                    kind,
                    obj,
                    household_id,
                    old,
                    old,
                    f"未能升级：{new[:6]}********{new[14:]}已登记为另一人员，请核实是否重复登记",
                )
                continue
            obj.resident_id = new
            obj.save(update_fields=["resident_id"])
            record(kind, obj, household_id, old, new, "15位旧号码升级为18位（GB 11643-1999）")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_household_floor_area_person_died_on_and_more"),
        ("audit", "0002_household_id"),
    ]

    operations = [migrations.RunPython(_convert, migrations.RunPython.noop)]
