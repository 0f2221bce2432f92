from django.db import migrations


def forwards(apps, schema_editor):
    from kembar.agreements.procedures import install

    install(apps.get_model("agreements", "ProcedureTemplate"), apps.get_model("agreements", "TemplateStage"))


def backwards(apps, schema_editor):
    apps.get_model("agreements", "ProcedureTemplate").objects.filter(code__in=["ksdpl", "generic"]).delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
