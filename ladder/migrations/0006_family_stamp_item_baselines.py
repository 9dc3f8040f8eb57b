# A family stamp (the ladder version that last changed it) and a history baseline for every
# item imported before imports recorded one, so every item edit can be reverted.

from django.db import migrations, models
from django.utils import timezone


def item_baselines(apps, schema_editor):
    Item = apps.get_model("ladder", "Item")
    History = apps.get_model("ladder", "HistoricalItem")
    ops = schema_editor.connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in Item._meta.concrete_fields)
    item, history = ops.quote_name(Item._meta.db_table), ops.quote_name(History._meta.db_table)
    pk = ops.quote_name(Item._meta.pk.column)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history} ({columns}, history_date, history_type, "
            f"history_change_reason) SELECT {columns}, %s, '+', 'import' FROM {item} "
            f"WHERE {pk} NOT IN (SELECT id FROM {history})",
            [ops.adapt_datetimefield_value(timezone.now())],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('ladder', '0005_level_grade_reason'),
    ]

    operations = [
        migrations.AddField(
            model_name='jobfamily',
            name='stamp',
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(item_baselines, migrations.RunPython.noop),
    ]
