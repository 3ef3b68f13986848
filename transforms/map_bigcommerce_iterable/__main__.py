"""`python -m map_bigcommerce_iterable`."""

from map_bigcommerce_iterable.mapper import BigCommerceToIterableMapper

BigCommerceToIterableMapper.cli()
