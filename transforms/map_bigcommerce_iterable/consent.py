"""BigCommerce consent signals as profile facts: one boolean per email channel, plus `<fact>At`.

Flat, one JSON type each (Iterable locks a field's type on first write): the boolean and the time
of the BigCommerce record it was read from, in Iterable's date format. These are facts for journey
entry criteria and segments; no list, channel or message-type subscription field is ever written,
so nothing here can subscribe, or re-subscribe, anyone. BigCommerce has no SMS consent signal.
"""

from __future__ import annotations

from typing import Any

from map_bigcommerce_iterable.normalise import boolean, iterable_date, text

NEWSLETTER = "marketing_newsletter"
ABANDONED_CART = "abandoned_cart"


def subscriber_consent(record: dict[str, Any]) -> dict[str, Any]:
    """A newsletter subscriber: `consents` lists the active ones (empty: unsubscribed).

    A record without `consents` (older API responses) is a subscription to the newsletter.
    """
    consents = record.get("consents")
    at = iterable_date(
        record.get("date_modified") or record.get("date_created"), "subscribers.date_modified"
    )
    fields: dict[str, Any] = {
        "newsletterSubscriber": NEWSLETTER in consents if isinstance(consents, list) else True,
        "newsletterSubscriberAt": at,
        "newsletterSubscribedAt": iterable_date(
            record.get("date_created"), "subscribers.date_created"
        ),
        "newsletterSource": text(record.get("source")),
    }
    if isinstance(consents, list):
        fields["abandonedCartConsent"] = ABANDONED_CART in consents
        fields["abandonedCartConsentAt"] = at
    return fields


def customer_consent(record: dict[str, Any]) -> dict[str, Any]:
    """A customer's `accepts_product_review_abandoned_cart_emails` (no date of its own)."""
    accepts = boolean(
        record.get("accepts_product_review_abandoned_cart_emails"),
        "customers.accepts_product_review_abandoned_cart_emails",
    )
    if accepts is None:
        return {}
    return {
        "acceptsAbandonedCartEmails": accepts,
        "acceptsAbandonedCartEmailsAt": iterable_date(
            record.get("date_modified"), "customers.date_modified"
        ),
    }


def checkout_consent(record: dict[str, Any]) -> dict[str, Any]:
    """An order's `is_email_opt_in`: the newsletter box at checkout, as of the order's date."""
    opt_in = boolean(record.get("is_email_opt_in"), "orders.is_email_opt_in")
    if opt_in is None:
        return {}
    return {
        "emailOptInAtCheckout": opt_in,
        "emailOptInAtCheckoutAt": iterable_date(record.get("date_created"), "orders.date_created"),
    }
