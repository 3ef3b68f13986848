"""Webhook receiver for BigCommerce cart and checkout events."""
