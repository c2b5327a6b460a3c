"""PostgreSQL schemas for tests, built once per run and reused.

Every test gets a schema of its own, named for it and put first on its search path. Building
the tables there statement by statement took most of a short test; now the statements run
once per run (as one script), and a schema a test has finished with is emptied and kept for
the next one, if it still has exactly the shape a fresh one has. A schema whose shape
changed (a migration test, a test that added a table) is dropped, as before, and the next
test gets a newly built one: reuse never hides what a test did to the schema."""

import uuid

import psycopg
from sqlalchemy import create_mock_engine
from sqlalchemy.engine import make_url

from core.extensions import db

# Tables, columns, indexes, sequences, constraints and types: what create_all makes.
SHAPE = """
SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), pg_get_indexdef(c.oid)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE n.nspname = %(schema)s
UNION ALL
SELECT t.relname, 'constraint', k.conname, pg_get_constraintdef(k.oid), NULL, NULL, NULL
FROM pg_constraint k
JOIN pg_namespace n ON n.oid = k.connamespace
LEFT JOIN pg_class t ON t.oid = k.conrelid
WHERE n.nspname = %(schema)s
UNION ALL
SELECT y.typname, 'type', NULL, NULL, NULL, NULL, NULL
FROM pg_type y
JOIN pg_namespace n ON n.oid = y.typnamespace
WHERE n.nspname = %(schema)s AND y.typtype NOT IN ('c', 'b')
"""


def schema_script():
    """The statements ``create_all`` would run on an empty PostgreSQL schema, as one script."""
    statements = []
    mock = create_mock_engine(
        "postgresql+psycopg://",
        lambda sql, *a, **kw: statements.append(str(sql.compile(dialect=mock.dialect)).strip()),
    )
    db.metadata.create_all(mock, checkfirst=False)
    return ";\n".join(statements) + ";"


def quoted(name):
    return '"' + name.replace('"', '""') + '"'


class SchemaPool:
    def __init__(self, url):
        plain = make_url(url).set(drivername="postgresql")
        self.conn = psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True)
        # A test's thread that still holds a lock must not hang the run: drop instead.
        self.conn.execute("SET lock_timeout = '10s'")
        self.extensions = self.trigram_schema()
        self.script = schema_script()
        self.tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        self.free = []
        self.fresh_shape = None
        self.sequences = []

    def trigram_schema(self):
        """The schema that holds pg_trgm, which the customers' trigram index needs: where
        a migration put it, or a schema of its own. An extension is one per database and a
        test's schema is dropped, so it lives outside them, on each test's search path (as
        ``public`` is on an application's)."""
        found = self.conn.execute(
            "SELECT quote_ident(n.nspname) FROM pg_extension e"
            " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        ).fetchone()
        if found:
            return found[0]
        self.conn.execute("CREATE SCHEMA IF NOT EXISTS extensions")
        self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions")
        return "extensions"

    def search_path(self, schema):
        return f"{quoted(schema)}, {self.extensions}"

    @staticmethod
    def new_name(prefix="t_"):
        return prefix + uuid.uuid4().hex[:16]

    def shape(self, schema):
        """What the schema holds, its own name left out (index and key definitions name it)."""
        rows = self.conn.execute(SHAPE, {"schema": schema}).fetchall()
        return sorted(
            tuple("" if v is None else str(v).replace(schema, "<schema>") for v in row)
            for row in rows
        )

    def fill(self, schema):
        """Make ``schema`` hold the empty tables: a kept one renamed, or built anew."""
        if self.free:
            self.conn.execute(f"ALTER SCHEMA {quoted(self.free.pop())} RENAME TO {quoted(schema)}")
            return
        with self.conn.transaction():
            self.conn.execute(f"CREATE SCHEMA {quoted(schema)}")
            self.conn.execute(f"SET LOCAL search_path TO {self.search_path(schema)}")
            self.conn.execute(self.script)
        if self.fresh_shape is None:
            self.fresh_shape = self.shape(schema)
            self.sequences = [
                row[0]
                for row in self.conn.execute(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n"
                    " ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'S'",
                    (schema,),
                )
            ]

    def create_empty(self, schema):
        self.conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted(schema)}")

    def release(self, schema):
        """Keep the schema for another test if its shape is a fresh one's, emptied and its
        sequences restarted; drop it otherwise."""
        if self.fresh_shape is not None and self.shape(schema) == self.fresh_shape:
            kept = self.new_name("pool_")
            try:
                with self.conn.transaction():
                    self.conn.execute(f"SET LOCAL search_path TO {quoted(schema)}")
                    for table in self.tables:  # names from the models, quoted
                        self.conn.execute(f"DELETE FROM {quoted(table)}")  # noqa: S608
                    for sequence in self.sequences:
                        self.conn.execute("SELECT setval(%s, 1, false)", (quoted(sequence),))
                    self.conn.execute(f"ALTER SCHEMA {quoted(schema)} RENAME TO {quoted(kept)}")
            except psycopg.Error:
                pass
            else:
                self.free.append(kept)
                return
        self.conn.execute(f"DROP SCHEMA IF EXISTS {quoted(schema)} CASCADE")

    def close(self):
        for schema in self.free:
            self.conn.execute(f"DROP SCHEMA IF EXISTS {quoted(schema)} CASCADE")
        self.free.clear()
        self.conn.close()


class TestSchema:
    """The schema of one test, made the first time an app of the test needs it."""

    def __init__(self, pool):
        self.pool = pool
        self.name = pool.new_name()
        self.made = False

    @property
    def search_path(self):
        """The test's schema, then the extensions' (for a connection's ``options``)."""
        return f"{self.name},{self.pool.extensions}"

    def make(self, with_tables):
        """Create the schema; ``True`` if it now holds the tables (nothing left to build)."""
        if self.made:
            return False
        self.made = True
        if with_tables:
            self.pool.fill(self.name)
            return True
        self.pool.create_empty(self.name)
        return False

    def release(self):
        if self.made:
            self.pool.release(self.name)
