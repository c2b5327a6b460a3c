"""Rows written as the schema stands at some revision, for the tests of a migration's upgrade:
the models describe the head, not the schema before it."""

import warnings
from datetime import UTC, datetime

import sqlalchemy as sa

from core.extensions import db

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def insert(table_name, **values):
    """A row of the schema as it is, every other required column given a blank value."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        table = sa.Table(table_name, sa.MetaData(), autoload_with=db.session.connection())
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        python_type = column.type.python_type
        blank = {str: "", int: 0, bool: False, datetime: NOW}.get(python_type)
        values[column.name] = blank
    return db.session.execute(table.insert().values(**values)).inserted_primary_key[0]
