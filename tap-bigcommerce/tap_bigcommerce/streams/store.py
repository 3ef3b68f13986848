"""Store-wide reference data: `store_settings`, `currencies`, `channels` (full table)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import requests
from singer_sdk import typing as th
from singer_sdk.helpers.types import Context
from singer_sdk.pagination import SinglePagePaginator

from tap_bigcommerce.client import BigCommerceStream
from tap_bigcommerce.pagination import object_body
from tap_bigcommerce.streams.fields import STORE_HASH, Money, Timestamp, key

_LOCALE_PATH = "/settings/store/locale"


class StoreSettingsStream(BigCommerceStream):
    """One record: `GET /v2/store` plus the v3 locale settings."""

    name = "store_settings"
    path = "/store"
    api_version = "v2"
    primary_keys: ClassVar[tuple[str, ...]] = ("id",)
    schema = th.PropertiesList(
        key("id", th.StringType),
        STORE_HASH,
        th.Property("store_id", th.IntegerType),
        th.Property("account_uuid", th.StringType),
        th.Property("domain", th.StringType),
        th.Property("secure_url", th.StringType),
        th.Property("control_panel_base_url", th.StringType),
        th.Property("status", th.StringType),
        th.Property("name", th.StringType),
        th.Property("first_name", th.StringType),
        th.Property("last_name", th.StringType),
        th.Property("address", th.StringType),
        th.Property("country", th.StringType),
        th.Property("country_code", th.StringType),
        th.Property("phone", th.StringType),
        th.Property("admin_email", th.StringType),
        th.Property("order_email", th.StringType),
        th.Property("favicon_url", th.StringType),
        th.Property(
            "timezone",
            th.ObjectType(
                th.Property("name", th.StringType),
                th.Property("raw_offset", th.IntegerType),
                th.Property("dst_offset", th.IntegerType),
                th.Property("dst_correction", th.BooleanType),
                th.Property("date_format", th.ObjectType(additional_properties=True)),
                additional_properties=True,
            ),
        ),
        th.Property("language", th.StringType),
        th.Property("currency", th.StringType, description="Default currency code."),
        th.Property("currency_symbol", th.StringType),
        th.Property("decimal_separator", th.StringType),
        th.Property("thousands_separator", th.StringType),
        th.Property("decimal_places", th.IntegerType),
        th.Property("currency_symbol_location", th.StringType),
        th.Property("weight_units", th.StringType),
        th.Property("dimension_units", th.StringType),
        th.Property("dimension_decimal_places", th.IntegerType),
        th.Property("dimension_decimal_token", th.StringType),
        th.Property("dimension_thousands_token", th.StringType),
        th.Property("plan_name", th.StringType),
        th.Property("plan_level", th.StringType),
        th.Property("plan_is_trial", th.BooleanType),
        th.Property("industry", th.StringType),
        th.Property("is_price_entered_with_tax", th.BooleanType),
        th.Property("default_channel_id", th.IntegerType),
        th.Property("default_site_id", th.IntegerType),
        th.Property("infrastructure_region", th.StringType),
        th.Property("features", th.ObjectType(additional_properties=True)),
        th.Property(
            "locale",
            th.ObjectType(
                th.Property("default_shopper_language", th.StringType),
                th.Property("shopper_language_selection_method", th.StringType),
                th.Property("store_country", th.StringType),
                additional_properties=True,
            ),
            description="`GET /v3/settings/store/locale`.",
        ),
    ).to_dict()

    def get_new_paginator(self) -> SinglePagePaginator:
        return SinglePagePaginator()

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        return {}

    def check_page(self, response: requests.Response) -> None:
        # store_information.v2.yml `paths./store.get.responses.200`: one object, not a list.
        object_body(response)

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        yield object_body(response)

    def transform(self, record: dict[str, Any], context: Context | None) -> dict[str, Any] | None:
        base_v3 = self.bigcommerce_tap.store_settings.base_url("v3")
        response = self.get_json_url(f"{base_v3}{_LOCALE_PATH}")
        # settings.v3.yml `paths./settings/store/locale.get.responses.200`: `{data: {...}}`.
        data = object_body(response).get("data")
        record["locale"] = data if isinstance(data, dict) else None
        return record


class CurrenciesStream(BigCommerceStream):
    name = "currencies"
    path = "/currencies"
    api_version = "v2"
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("is_default", th.BooleanType),
        th.Property("last_updated", Timestamp),
        th.Property("country_iso2", th.StringType),
        th.Property("default_for_country_codes", th.ArrayType(th.StringType)),
        th.Property("currency_code", th.StringType),
        th.Property(
            "currency_exchange_rate",
            Money,
            description="Units of this currency per unit of the store's default currency.",
        ),
        th.Property("name", th.StringType),
        th.Property("token", th.StringType),
        th.Property("auto_update", th.BooleanType),
        th.Property("token_location", th.StringType),
        th.Property("decimal_token", th.StringType),
        th.Property("thousands_token", th.StringType),
        th.Property("decimal_places", th.IntegerType),
        th.Property("enabled", th.BooleanType),
        th.Property("is_transactional", th.BooleanType),
        th.Property("use_default_name", th.BooleanType),
    ).to_dict()


class ChannelsStream(BigCommerceStream):
    name = "channels"
    path = "/channels"
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("name", th.StringType),
        th.Property("type", th.StringType),
        th.Property("platform", th.StringType),
        th.Property("status", th.StringType),
        th.Property("external_id", th.StringType),
        th.Property("is_listable_from_ui", th.BooleanType),
        th.Property("is_visible", th.BooleanType),
        th.Property("is_enabled", th.BooleanType),
        th.Property("icon_url", th.StringType),
        th.Property("date_created", Timestamp),
        th.Property("date_modified", Timestamp),
    ).to_dict()
