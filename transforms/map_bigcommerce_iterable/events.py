"""Custom event names (one convention, configurable) and event records with deterministic ids."""

from __future__ import annotations

from typing import Any

from map_bigcommerce_iterable.identity import Identity
from map_bigcommerce_iterable.settings import MapperSettings


class EventNamer:
    """`{prefix}{name}` with the canonical snake_case name restyled; per-event overrides win."""

    def __init__(self, settings: MapperSettings) -> None:
        self._settings = settings

    def name(self, key: str) -> str:
        override = self._settings.event_names.get(key)
        if override:
            return override
        if self._settings.event_name_style == "camelCase":
            head, *rest = key.split("_")
            styled = head + "".join(word.capitalize() for word in rest)
            if self._settings.event_name_prefix and not self._settings.event_name_prefix.endswith(
                "_"
            ):
                styled = styled[0].upper() + styled[1:]
        else:
            styled = key
        return f"{self._settings.event_name_prefix}{styled}"


def event_record(
    identity: Identity,
    name: str,
    event_id: str,
    created_at: int | None,
    data_fields: dict[str, Any],
) -> dict[str, Any]:
    record: dict[str, Any] = {**identity.key, "eventName": name, "id": event_id}
    if created_at is not None:
        record["createdAt"] = created_at
    record["dataFields"] = {k: v for k, v in data_fields.items() if v is not None}
    return record
