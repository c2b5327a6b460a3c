"""Column types and helpers shared by every model."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from core.clock import utcnow

__all__ = ["TimestampMixin", "UTCDateTime", "made_on", "utcnow"]


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def made_on(item, dialect_name):
    """Whether ``create_all`` makes ``item`` on this database: not an index declared with
    ``ddl_if`` for another one (PostgreSQL's trigram index on SQLite). Autogenerate does not
    read ``ddl_if``, so migrations/env.py and the migrations' test ask this."""
    only_on = getattr(item, "_ddl_if", None)
    if only_on is None or only_on.dialect is None:
        return True
    names = (only_on.dialect,) if isinstance(only_on.dialect, str) else only_on.dialect
    return dialect_name in names
