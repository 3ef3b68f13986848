"""The Iterable endpoints this target calls, with their documented rate limits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    """One Iterable endpoint: a settings key, the HTTP method and path, and a default rate."""

    key: str
    method: str
    path: str  # may hold `{catalog}`, `{email}` or `{user_id}` placeholders
    default_rate: float  # requests per second
    rate_source: str

    def label(self) -> str:
        return f"{self.method} {self.path}"


USERS_BULK_UPDATE = Endpoint(
    "users_bulk_update", "POST", "/api/users/bulkUpdate", 5.0, "Iterable: 5 req/s per project"
)
EVENTS_TRACK_BULK = Endpoint(
    "events_track_bulk", "POST", "/api/events/trackBulk", 10.0, "Iterable: 10 req/s per project"
)
CATALOG_ITEMS = Endpoint(
    "catalog_items",
    "POST",
    "/api/catalogs/{catalog}/items",
    100.0,
    "Iterable: 100 req/s per API key",
)
CATALOG_CREATE = Endpoint(
    "catalog_create", "POST", "/api/catalogs/{catalog}", 10.0, "not documented; once per run"
)
CATALOG_FIELD_MAPPINGS_GET = Endpoint(
    "catalog_field_mappings_get",
    "GET",
    "/api/catalogs/{catalog}/fieldMappings",
    10.0,
    "not documented; once per run",
)
CATALOG_FIELD_MAPPINGS_PUT = Endpoint(
    "catalog_field_mappings_put",
    "PUT",
    "/api/catalogs/{catalog}/fieldMappings",
    10.0,
    "not documented; when new catalog fields appear",
)
TRACK_PURCHASE = Endpoint(
    "track_purchase",
    "POST",
    "/api/commerce/trackPurchase",
    50.0,
    "not documented by Iterable; conservative",
)
UPDATE_CART = Endpoint(
    "update_cart",
    "POST",
    "/api/commerce/updateCart",
    50.0,
    "not documented by Iterable; conservative",
)
DELETE_USER_BY_EMAIL = Endpoint(
    "delete_user_by_email", "DELETE", "/api/users/{email}", 100.0, "Iterable: 100 req/s per project"
)
DELETE_USER_BY_USER_ID = Endpoint(
    "delete_user_by_user_id",
    "DELETE",
    "/api/users/byUserId/{user_id}",
    100.0,
    "Iterable: 100 req/s per project",
)
USERS_FORGET = Endpoint(
    "users_forget",
    "POST",
    "/api/users/forget",
    3.0,
    "Iterable: 3 req/s per project, and at most 1000 per 24 hours (`users_forget_daily_cap`)",
)
USERS_UPDATE_EMAIL = Endpoint(
    "users_update_email",
    "POST",
    "/api/users/updateEmail",
    10.0,
    "not documented by Iterable; conservative",
)
USERS_MERGE = Endpoint(
    "users_merge", "POST", "/api/users/merge", 50.0, "Iterable: 50 req/s per API key"
)
USERS_UPDATE = Endpoint(
    "users_update", "POST", "/api/users/update", 500.0, "Iterable: 500 req/s per project"
)
USERS_GET_BY_EMAIL = Endpoint(
    "users_get_by_email", "GET", "/api/users/getByEmail", 100.0, "Iterable: 100 req/s per project"
)

ALL_ENDPOINTS = (
    USERS_BULK_UPDATE,
    EVENTS_TRACK_BULK,
    CATALOG_ITEMS,
    CATALOG_CREATE,
    CATALOG_FIELD_MAPPINGS_GET,
    CATALOG_FIELD_MAPPINGS_PUT,
    TRACK_PURCHASE,
    UPDATE_CART,
    DELETE_USER_BY_EMAIL,
    DELETE_USER_BY_USER_ID,
    USERS_FORGET,
    USERS_UPDATE_EMAIL,
    USERS_MERGE,
    USERS_UPDATE,
    USERS_GET_BY_EMAIL,
)

MAX_ITEMS_PER_BULK_REQUEST = 1000  # users, events and catalog documents per request
MAX_BULK_BODY_BYTES = 4_000_000  # users/bulkUpdate: 4 MB body; applied to trackBulk as well
MAX_CATALOG_ITEM_BYTES = 30 * 1024
# users/forget: "Daily Cap: 1000 requests per 24 hour period, per project" (Swagger `forget`).
USERS_FORGET_DAILY_CAP = 1000  # "Max size of each json value is 30kb"
