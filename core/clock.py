"""The one clock: aware UTC datetimes, stored as UTC and shown in the shop's time zone."""

from datetime import UTC, datetime


def utcnow():
    return datetime.now(UTC)
