"""The one exception tree of netintel.

Every error netintel raises on purpose derives from :class:`NetintelError`.
Each class carries the HTTP ``status`` and machine ``code`` the API answers
with (one handler in :mod:`api.errors` maps the whole tree to one JSON error
shape); the CLI prints ``message`` and exits non-zero.  Raise them ``from``
their cause.

>>> issubclass(NotFound, NetintelError) and NotFound.status
404
>>> isinstance(InvalidInput("bad"), ValueError)
True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "NetintelError",
    "InvalidInput",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "OverBudget",
    "QuerySetTooSmall",
    "TooLarge",
    "TooManyRequests",
    "Unavailable",
    "QueryTimeout",
    "ConfigError",
    "StoreError",
]


class NetintelError(Exception):
    """Base of every error netintel raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, details: Any = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers


class InvalidInput(NetintelError, ValueError):
    """A parameter or a record is not acceptable (what and why in the message)."""

    status, code = 400, "bad_request"


class Unauthorized(NetintelError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str = "authentication required", details: Any = None) -> None:
        super().__init__(message, details, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(NetintelError):
    status, code = 403, "forbidden"


class NotFound(NetintelError, LookupError):
    """Missing, or hidden from the scope asking (the two are never told apart)."""

    status, code = 404, "not_found"


class Conflict(NetintelError):
    status, code = 409, "conflict"


class OverBudget(NetintelError):
    """The request would take more time or memory than its budget: ``details`` say what to narrow."""

    status, code = 422, "over_budget"


class QuerySetTooSmall(InvalidInput):
    """An aggregate's filters describe too few people to publish (disclosure control)."""

    status, code = 422, "query_set_too_small"


class TooLarge(NetintelError):
    status, code = 413, "too_large"


class TooManyRequests(NetintelError):
    status, code = 429, "too_many_requests"


class Unavailable(NetintelError):
    status, code = 503, "unavailable"


class QueryTimeout(NetintelError):
    status, code = 504, "query_timeout"


class ConfigError(NetintelError, RuntimeError):
    """Settings that cannot be used (missing, malformed or unsafe)."""

    status, code = 500, "configuration_error"


class StoreError(NetintelError, RuntimeError):
    """The managed Neo4j could not be installed, started or reached."""

    status, code = 503, "store_error"
