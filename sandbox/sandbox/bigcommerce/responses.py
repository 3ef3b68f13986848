"""JSON responses whose Decimal money renders as exact JSON numbers."""

from __future__ import annotations

from typing import Any

import simplejson
from starlette.responses import JSONResponse, Response


class ExactJSONResponse(JSONResponse):
    """Like Starlette's, but Decimal values become JSON numbers with their exact digits."""

    def render(self, content: Any) -> bytes:
        return simplejson.dumps(
            content, use_decimal=True, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")


def v3_single(data: Any) -> ExactJSONResponse:
    return ExactJSONResponse({"data": data, "meta": {}})


def no_content() -> Response:
    """v2's empty page: 204 with no body."""
    return Response(status_code=204)
