"""Singer mapper from BigCommerce records to Iterable operations."""
