"""Give the subdivisions already loaded their GeoNames admin1 code (data/admin1.tsv), so an
upgraded database knows every city's province before `kembar load-gazetteer` runs again.
A fresh database has no subdivisions yet: the load sets the codes."""
from pathlib import Path

from django.db import migrations

ADMIN1_FILE = Path(__file__).resolve().parent.parent / "data" / "admin1.tsv"


def set_codes(apps, schema_editor):
    Place = apps.get_model("gazetteer", "Place")
    loaded = set(Place.objects.filter(kind="subdivision", admin1_code="").values_list("subdivision_code", flat=True))
    if not loaded:
        return
    with ADMIN1_FILE.open(encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                iso, admin1 = line.rstrip("\n").split("\t")
                if iso in loaded:
                    Place.objects.filter(kind="subdivision", subdivision_code=iso).update(admin1_code=admin1)


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0001_initial")]

    operations = [migrations.RunPython(set_codes, migrations.RunPython.noop)]
