"""A deterministic, scalable generator of realistic BigCommerce stores."""
