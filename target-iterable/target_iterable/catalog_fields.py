"""Catalog field types, set before the items that carry the fields are uploaded.

Iterable: "It is not possible for a collection to search catalog item fields that do not have
explicitly assigned data types", and "Once a catalog item field has been given a data type, it
cannot be changed"; "In a given catalog, there can be no more than 350 unique catalog item
fields/columns" (Iterable support, "Catalog Limitations", article 360033215072). Types are set with
`PUT /api/catalogs/{catalogName}/fieldMappings` (Swagger; types boolean, date, geo_location, long,
double, object, string).

So before a batch is uploaded, the fields it brings that the catalog has no type for yet get the
type of their values, read the way Iterable reads them (notes: iterable-api.md §3 catalogs).
Fields beyond the 350-field limit are not typed (the mapper keeps products' custom fields under
it); a refused mapping is logged and the upload goes on (Iterable then types the fields itself).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from target_iterable.contract import encoding
from target_iterable.endpoints import CATALOG_FIELD_MAPPINGS_GET, CATALOG_FIELD_MAPPINGS_PUT
from target_iterable.runtime import Runtime

MAX_CATALOG_FIELDS = 350  # "no more than 350 unique catalog item fields/columns"
_ITERABLE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}( [+-]\d{2}:\d{2})?$")


def field_type(value: Any) -> str | None:
    """Iterable's type of a value (an array takes its elements'); None: nothing to set."""
    if isinstance(value, list):
        types = {field_type(item) for item in value} - {None}
        return types.pop() if len(types) == 1 else None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float | Decimal):
        return "double"
    if isinstance(value, str):
        return "date" if _ITERABLE_DATE.match(value) else "string"
    return None  # objects and nulls: their fields are typed by whoever needs them


class CatalogFieldTypes:
    """The catalog's field types this run knows, and the call that sets new ones."""

    def __init__(self, runtime: Runtime, create_catalog: Callable[[], bool]) -> None:
        self._runtime = runtime
        self._create_catalog = create_catalog  # True when the catalog exists now
        self._lock = threading.Lock()
        self._defined: dict[str, str] | None = None
        self._unreadable = False

    def before_upload(self, values: Iterable[dict[str, Any]]) -> None:
        """Type the top-level fields of these item values that have no type yet."""
        with self._lock:
            defined = self._load()
            if defined is None:  # types cannot be read: Iterable types the fields itself
                return
            wanted: dict[str, str] = {}
            for value in values:
                for name, field_value in value.items():
                    kind = field_type(field_value)
                    if kind and name not in defined and name not in wanted:
                        wanted[name] = kind
            room = MAX_CATALOG_FIELDS - len(defined)
            if len(wanted) > room:
                self._runtime.logger.warning(
                    "Catalog %r: %d new fields but room for %d under Iterable's %d-field limit; "
                    "the rest are not typed",
                    self._runtime.settings.catalog_name,
                    len(wanted),
                    max(room, 0),
                    MAX_CATALOG_FIELDS,
                )
                wanted = dict(sorted(wanted.items())[: max(room, 0)])
            if wanted:
                self._put(wanted)
                defined.update(wanted)

    def _load(self) -> dict[str, str] | None:
        if self._defined is not None or self._unreadable:
            return self._defined
        answer = self._runtime.client.call(
            CATALOG_FIELD_MAPPINGS_GET, path_params=self._path_params()
        )
        if answer.status == 404 and self._create_catalog():
            self._defined = {}  # a new catalog: no field has a type yet
            return self._defined
        if not answer.ok:
            self._runtime.logger.warning(
                "Could not read the field types of catalog %r (%s): uploading without typing",
                self._runtime.settings.catalog_name,
                answer.message,
            )
            self._unreadable = True
            return None
        body = answer.body.get("params") if isinstance(answer.body.get("params"), dict) else None
        mappings = (body or answer.body).get("definedMappings")
        self._defined = dict(mappings) if isinstance(mappings, dict) else {}
        return self._defined

    def _put(self, wanted: dict[str, str]) -> None:
        updates = [{"fieldName": name, "fieldType": kind} for name, kind in wanted.items()]
        answer = self._runtime.client.call(
            CATALOG_FIELD_MAPPINGS_PUT,
            body=encoding.dumps({"mappingsUpdates": updates}),
            path_params=self._path_params(),
        )
        if answer.ok:
            self._runtime.logger.info(
                "Catalog %r: set the types of %d field(s) before uploading",
                self._runtime.settings.catalog_name,
                len(updates),
            )
        else:
            self._runtime.logger.warning(
                "Catalog %r: Iterable refused the field types (%s); uploading anyway",
                self._runtime.settings.catalog_name,
                answer.message,
            )

    def _path_params(self) -> dict[str, str]:
        return {"catalog": self._runtime.settings.catalog_name}
