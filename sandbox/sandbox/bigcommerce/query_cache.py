"""Remembers recent list results, so paging through a million orders computes the list once.

A result is keyed by the endpoint and its query without the paging parameters, and is used
only while the collection's version (bumped on every change) is the one it was computed at.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from starlette.datastructures import QueryParams

PAGING_PARAMETERS = frozenset({"page", "limit", "after", "before"})


def query_key(endpoint: str, query: QueryParams, *extra: Hashable) -> Hashable:
    filters = tuple(sorted((k, v) for k, v in query.multi_items() if k not in PAGING_PARAMETERS))
    return (endpoint, filters, *extra)


class QueryCache:
    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._results: OrderedDict[Hashable, tuple[int, list[int]]] = OrderedDict()
        self._lock = threading.Lock()

    def ids(self, key: Hashable, version: int, compute: Callable[[], list[int]]) -> list[int]:
        with self._lock:
            hit = self._results.get(key)
            if hit is not None and hit[0] == version:
                self._results.move_to_end(key)
                return hit[1]
        result = compute()
        with self._lock:
            self._results[key] = (version, result)
            self._results.move_to_end(key)
            while len(self._results) > self._size:
                self._results.popitem(last=False)
        return result
