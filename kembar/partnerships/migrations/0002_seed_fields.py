from django.db import migrations

FIELDS = ["culture", "education", "youth_sport", "agriculture", "industry", "trade", "tourism", "health",
          "environment", "smart_city", "urban", "disaster", "governance", "science"]


def seed(apps, schema_editor):
    CooperationField = apps.get_model("partnerships", "CooperationField")
    for code in FIELDS:
        CooperationField.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
