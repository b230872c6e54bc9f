"""The database cursor behind prepared statements (settings DATABASE_PREPARED_STATEMENTS): Django's server-binding
cursor, but a statement with more parameters than PostgreSQL's protocol can bind (65,535: a nightly run's
`pk__in` over 82,000 terms, say) has them written into its text, as client-side binding does, and is not prepared."""

from contextlib import contextmanager

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from psycopg import ClientCursor

MAX_BOUND_PARAMETERS = 65_535


class PortalCursor(ServerBindingCursor):
    def execute(self, query, params=None, *args, **kwargs):
        if params is not None and (len(params) > MAX_BOUND_PARAMETERS or getattr(self.connection, "mae_unprepared", False)):
            query, params = ClientCursor(self.connection).mogrify(query, params), None
            kwargs["prepare"] = False
        return super().execute(query, params, *args, **kwargs)


@contextmanager
def unprepared():
    """Statements run inside are bound on the client and not prepared, as without prepared statements: for a batch
    job whose statements differ in their values, not their shape (an IN list of a thousand ids each batch, bulk
    inserts), where a generic plan and server-side binding cost more than they save. Pages keep theirs."""
    connection.ensure_connection()
    raw = connection.connection
    threshold = getattr(raw, "prepare_threshold", None)
    raw.prepare_threshold, raw.mae_unprepared = None, True
    try:
        yield
    finally:
        raw.prepare_threshold, raw.mae_unprepared = threshold, False
