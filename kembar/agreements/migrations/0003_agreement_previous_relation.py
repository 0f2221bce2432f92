"""An agreement follows or renews an earlier one: `renewal_of` becomes `previous` with a
`relation` (follows | renews); the links recorded so far were renewals."""

import django.db.models.deletion
from django.db import migrations, models


def existing_links_renew(apps, schema_editor):
    for name in ("Agreement", "HistoricalAgreement"):
        apps.get_model("agreements", name).objects.filter(previous__isnull=False).update(relation="renews")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_procedures")]

    operations = [
        migrations.RenameField("agreement", "renewal_of", "previous"),
        migrations.RenameField("historicalagreement", "renewal_of", "previous"),
        migrations.AlterField(
            model_name="agreement",
            name="previous",
            field=models.ForeignKey(
                blank=True,
                help_text="The agreement of the same partnership this one follows or renews.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="successors",
                to="agreements.agreement",
                verbose_name="earlier agreement",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagreement",
            name="previous",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The agreement of the same partnership this one follows or renews.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="agreements.agreement",
                verbose_name="earlier agreement",
            ),
        ),
        migrations.AddField(
            model_name="agreement",
            name="relation",
            field=models.CharField(
                blank=True,
                choices=[("follows", "Follows"), ("renews", "Renews")],
                max_length=8,
                verbose_name="link",
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="relation",
            field=models.CharField(
                blank=True,
                choices=[("follows", "Follows"), ("renews", "Renews")],
                max_length=8,
                verbose_name="link",
            ),
        ),
        migrations.RunPython(existing_links_renew, migrations.RunPython.noop),
    ]
