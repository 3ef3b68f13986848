"""`bigcommerce-iterable-reconcile`: a QA report of whether BigCommerce and Iterable agree."""
