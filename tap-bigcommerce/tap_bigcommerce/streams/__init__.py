"""The tap's streams, in the agreed emission order (reference data first, inbox streams last)."""

from __future__ import annotations

from tap_bigcommerce.client import BigCommerceStream
from tap_bigcommerce.streams.carts import CartEventsStream
from tap_bigcommerce.streams.catalog import BrandsStream, CategoriesStream, ProductsStream
from tap_bigcommerce.streams.customer_deletions import CustomerDeletionsStream
from tap_bigcommerce.streams.customers import (
    CustomerGroupsStream,
    CustomersStream,
    SubscribersStream,
)
from tap_bigcommerce.streams.orders import OrdersStream
from tap_bigcommerce.streams.refunds import RefundsStream
from tap_bigcommerce.streams.store import ChannelsStream, CurrenciesStream, StoreSettingsStream

STREAM_TYPES: list[type[BigCommerceStream]] = [
    StoreSettingsStream,
    CurrenciesStream,
    ChannelsStream,
    CustomerGroupsStream,
    CategoriesStream,
    BrandsStream,
    ProductsStream,
    CustomersStream,
    SubscribersStream,
    OrdersStream,
    RefundsStream,
    CartEventsStream,
    CustomerDeletionsStream,
]
