from django.db import migrations


def recreate_fts(apps, schema_editor):
    """SQLite: the FTS5 table again, with the family id indexed beside the text (the family
    filter matches inside the index), filled from the documents already stored.

    PostgreSQL filters by family on the documents table: nothing to do there.
    """
    if schema_editor.connection.vendor != "sqlite":
        return
    from ladder.search import FTS_TABLE, index_sql

    with schema_editor.connection.cursor() as cursor:
        # The triggers live on the documents table: dropping the FTS5 table leaves them.
        cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad")
        cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au")
        cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        for statement in index_sql("sqlite"):
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


class Migration(migrations.Migration):
    dependencies = [
        ("ladder", "0008_search_document"),
    ]

    # Going back keeps the new table: the old code reads its title and body columns alike.
    operations = [migrations.RunPython(recreate_fts, migrations.RunPython.noop)]
