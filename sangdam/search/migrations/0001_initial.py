import django.db.models.deletion
from django.db import migrations, models

# The database's own full-text index over the analysed terms (sangdam/search/backends).
SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    " head, body, content='search_searchdocument', content_rowid='ticket_id')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN"
    " INSERT INTO search_fts(rowid, head, body) VALUES (new.ticket_id, new.head, new.body);"
    " END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, head, body)"
    " VALUES ('delete', old.ticket_id, old.head, old.body);"
    " END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, head, body)"
    " VALUES ('delete', old.ticket_id, old.head, old.body);"
    " INSERT INTO search_fts(rowid, head, body) VALUES (new.ticket_id, new.head, new.body);"
    " END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES = [
    "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('simple'::regconfig, head), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, body), 'B')) STORED",
    "CREATE INDEX search_document_tsv ON search_searchdocument USING gin (tsv)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tickets", "0004_event_batch"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="tickets.ticket",
                    ),
                ),
                ("head", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                ("last_message_id", models.BigIntegerField(default=0)),
                ("indexed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
