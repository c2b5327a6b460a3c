"""Counting the SQL statements a page runs: a page's count must not grow with its rows."""

from sqlalchemy import event

from core.extensions import db


class Statements:
    """The SQL statements run while the block runs."""

    def __init__(self, app):
        self.app, self.seen = app, []

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args):
        self.seen.append(statement)
