"""Error bodies: v3 `{status, title, type[, errors]}` objects, v2 `[{status, message}]` arrays.

v3 sends `errors` (field -> message) only when specific fields are at fault (422, 413, 400),
as the specs' `error_Full` / `errorDetailed_Full` schemas distinguish.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

STATUS_DOCS = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
}


def is_v2(path: str) -> bool:
    return "/v2/" in path or path.endswith("/v2")


def v3_error(
    status: int, title: str | None = None, errors: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, object] = {
        "status": status,
        "title": title or _TITLES.get(status, "Error"),
        "type": STATUS_DOCS,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


def checkout_error(status: int, detail: str) -> JSONResponse:
    """The checkouts API wraps its errors in an `errors` array."""
    error = {"status": status, "title": _TITLES.get(status, "Error"), "type": STATUS_DOCS}
    return JSONResponse({"errors": [{**error, "detail": detail}]}, status_code=status)


def v2_error(status: int, message: str) -> JSONResponse:
    return JSONResponse([{"status": status, "message": message}], status_code=status)


def api_error(path: str, status: int, message: str, field: str | None = None) -> Response:
    """The error body the API version of `path` uses."""
    if is_v2(path):
        return v2_error(status, message)
    return v3_error(status, message, {field: message} if field else None)
