"""SentReminder, which lived in the former `portal` app: a database that has its table keeps it
(renamed), so reminders already sent are not sent again."""

from django.db import migrations, models


def create_or_adopt(apps, schema_editor):
    model = apps.get_model("core", "SentReminder")
    if "portal_sentreminder" in schema_editor.connection.introspection.table_names():
        schema_editor.alter_db_table(model, "portal_sentreminder", model._meta.db_table)
    else:
        schema_editor.create_model(model)


def drop(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("core", "SentReminder"))


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SentReminder",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200, unique=True, verbose_name="event")),
                        ("sent_at", models.DateTimeField(verbose_name="sent at")),
                        ("recipients", models.TextField(verbose_name="recipients")),
                        ("subject", models.CharField(max_length=300, verbose_name="subject")),
                    ],
                    options={
                        "verbose_name": "sent reminder",
                        "verbose_name_plural": "sent reminders",
                        "ordering": ["-sent_at"],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_or_adopt, drop),
    ]
