"""A lost database connection is a temporary outage, not a bug: 503 with Retry-After in the error shape.

pre-ping only checks connections as they leave the pool; one terminated while in use (a failover, a restart,
`pg_terminate_backend`) fails that request. SQLAlchemy then discards the connection, so the next request gets a
fresh one and the pool recovers by itself.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from storyscape_common.errors import error_response

logger = logging.getLogger("storyscape.db")
RETRY_AFTER_SECONDS = "1"


def is_connection_lost(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or isinstance(exc, (OperationalError, InterfaceError))


def install_database_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DBAPIError)
    async def _database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        if not is_connection_lost(exc):
            logger.exception("database error", exc_info=exc)
            return error_response(500, "internal_error", "internal server error")
        logger.warning("database connection lost", extra={"fields": {"error": type(exc.orig).__name__}})
        return error_response(503, "upstream_unavailable", "the database is unavailable; try again", {"Retry-After": RETRY_AFTER_SECONDS})
