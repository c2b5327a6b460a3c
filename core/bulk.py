"""Helpers for work on many rows at once in one process (an import of 100,000 customers)."""

import gc
from contextlib import contextmanager

from sqlalchemy import any_, bindparam, cast, text
from sqlalchemy.types import ARRAY, NullType

from core.extensions import db


@contextmanager
def collector_paused():
    """Hold Python's cycle collector while a bulk step builds many small objects that all
    live on (the rows of a file, the plan of each row). Counting allocations, the collector
    would otherwise walk every one of them again and again: seconds for 100,000 rows, for
    nothing, since such rows form no cycles. Reference counting frees memory as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def one_of(column, values):
    """``column = ANY(:values)`` on PostgreSQL (one array parameter: a 1,000-parameter
    ``IN`` was several times slower there), ``column IN (…)`` elsewhere. The array goes as
    its text (``{1,2,3}``): psycopg would inspect each element.

    The text is sent untyped, so the server reads the parameter as the array itself: planned
    for its values, it is a constant, which PostgreSQL matches through a hash. Sent as text
    and cast, it is an expression, matched element by element: where the planner believes a
    shop has few rows (its statistics not yet counting a large import), 5,000 ids against
    each of the shop's rows took 18 s a batch instead of 20 ms."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        untyped = bindparam(None, array_literal(values), type_=NullType())
        return column == any_(cast(untyped, ARRAY(column.type)))
    return column.in_(values)


def array_literal(values):
    """PostgreSQL's text of an array of whole numbers or texts."""
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    quoted = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{value}"' for value in quoted) + "}"


@contextmanager
def plan_each_query():
    """Have PostgreSQL plan each statement of the block for its own values: a bulk read
    runs the same statement hundreds of times, and a plan kept from its first runs (made
    for other values, or a table that was small then) would stay. Back to the default
    afterwards, in the same transaction: for many inserts the foreign-key checks would be
    planned again for every row."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    try:
        yield
    finally:
        if postgres:
            db.session.execute(text("SET LOCAL plan_cache_mode TO DEFAULT"))
