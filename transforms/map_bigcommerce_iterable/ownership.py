"""Who owns each user attribute, and what an update may do to it.

BigCommerce owns transactional facts; Iterable owns campaign metadata, which is never sent.
A missing or empty BigCommerce value never erases an Iterable value unless the field is
configured as nullable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class Owner(StrEnum):
    BIGCOMMERCE = "bigcommerce"
    ITERABLE = "iterable"


# The default table (the README renders it). Fields the mapper does not know are BigCommerce's
# (e.g. `attribute_*`) unless overridden.
DEFAULT_OWNERSHIP: Mapping[str, tuple[Owner, str]] = {
    "email": (Owner.BIGCOMMERCE, "customer email (user_id mode: a plain field)"),
    "userId": (Owner.BIGCOMMERCE, "registered customer's userId (hybrid mode)"),
    "firstName": (Owner.BIGCOMMERCE, "customer, else billing address of a guest order"),
    "lastName": (Owner.BIGCOMMERCE, "customer, else billing address of a guest order"),
    "company": (Owner.BIGCOMMERCE, "customer"),
    "phone": (
        Owner.BIGCOMMERCE,
        "customer `phone`, else its first address's; guest: billing phone (as typed)",
    ),
    "phoneNumber": (
        Owner.BIGCOMMERCE,
        "`phone` in E.164, written only when BigCommerce's number changed (see SMS)",
    ),
    "customerType": (Owner.BIGCOMMERCE, "`registered` or `guest`"),
    "bcCustomerId": (Owner.BIGCOMMERCE, "customer id"),
    "customerGroupId": (Owner.BIGCOMMERCE, "customer group id"),
    "customerGroupName": (Owner.BIGCOMMERCE, "customer group name"),
    "customerSince": (Owner.BIGCOMMERCE, "customer `date_created`"),
    "bcProfileUpdatedAt": (Owner.BIGCOMMERCE, "customer `date_modified`"),
    "acceptsAbandonedCartEmails": (
        Owner.BIGCOMMERCE,
        "consent fact: customer `accepts_product_review_abandoned_cart_emails`",
    ),
    "acceptsAbandonedCartEmailsAt": (Owner.BIGCOMMERCE, "customer `date_modified`"),
    "originChannelId": (Owner.BIGCOMMERCE, "customer"),
    "channelIds": (Owner.BIGCOMMERCE, "customer"),
    "addressCity": (Owner.BIGCOMMERCE, "first customer address"),
    "addressState": (Owner.BIGCOMMERCE, "first customer address"),
    "addressPostalCode": (Owner.BIGCOMMERCE, "first customer address"),
    "addressCountry": (Owner.BIGCOMMERCE, "first customer address"),
    "addressCountryCode": (Owner.BIGCOMMERCE, "first customer address"),
    "storeCredit": (Owner.BIGCOMMERCE, "sum of store credit amounts"),
    "storeHash": (Owner.BIGCOMMERCE, "store of the newest update"),
    "currency": (Owner.BIGCOMMERCE, "that store's default currency"),
    "locale": (Owner.BIGCOMMERCE, "order `customer_locale`, else the store's locale"),
    "timeZone": (Owner.BIGCOMMERCE, "the store's time zone (`timezone.name`, IANA)"),
    "ordersCount": (Owner.BIGCOMMERCE, "lifetime value: qualifying orders"),
    "totalSpent": (Owner.BIGCOMMERCE, "lifetime value: order totals minus refunds"),
    "averageOrderValue": (Owner.BIGCOMMERCE, "lifetime value: totalSpent / ordersCount"),
    "firstOrderDate": (Owner.BIGCOMMERCE, "lifetime value"),
    "lastOrderDate": (Owner.BIGCOMMERCE, "lifetime value"),
    "ltvCurrency": (Owner.BIGCOMMERCE, "currency of the lifetime value fields"),
    "newsletterSubscriber": (
        Owner.BIGCOMMERCE,
        "consent fact: subscriber `consents` has `marketing_newsletter` (never subscribes)",
    ),
    "newsletterSubscriberAt": (Owner.BIGCOMMERCE, "subscriber `date_modified`"),
    "newsletterSubscribedAt": (Owner.BIGCOMMERCE, "subscriber `date_created` (sign-up)"),
    "newsletterSource": (Owner.BIGCOMMERCE, "subscriber `source`"),
    "abandonedCartConsent": (
        Owner.BIGCOMMERCE,
        "consent fact: subscriber `consents` has `abandoned_cart`",
    ),
    "abandonedCartConsentAt": (Owner.BIGCOMMERCE, "subscriber `date_modified`"),
    "emailOptInAtCheckout": (Owner.BIGCOMMERCE, "consent fact: order `is_email_opt_in`"),
    "emailOptInAtCheckoutAt": (Owner.BIGCOMMERCE, "order `date_created`"),
    # Campaign metadata: Iterable's. The mapper never produces these and never will.
    "emailListIds": (Owner.ITERABLE, "list memberships"),
    "userListIds": (Owner.ITERABLE, "list memberships"),
    "unsubscribedChannelIds": (Owner.ITERABLE, "subscription state"),
    "unsubscribedMessageTypeIds": (Owner.ITERABLE, "subscription state"),
    "subscribedMessageTypeIds": (Owner.ITERABLE, "subscription state"),
    "signupDate": (Owner.ITERABLE, "set by Iterable"),
    "signupSource": (Owner.ITERABLE, "set by Iterable"),
    "profileUpdatedAt": (Owner.ITERABLE, "set by Iterable"),
}


class OwnershipPolicy:
    """Filters a user's dataFields: drops Iterable-owned fields and never-erase empties."""

    def __init__(self, overrides: Mapping[str, Owner], nullable_fields: Iterable[str]) -> None:
        self._owners = {name: owner for name, (owner, _) in DEFAULT_OWNERSHIP.items()}
        self._owners.update(overrides)
        self._nullable = frozenset(nullable_fields)

    def owner(self, field: str) -> Owner:
        return self._owners.get(field, Owner.BIGCOMMERCE)

    def apply(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """The fields that may be sent, with empties dropped unless nullable."""
        result: dict[str, Any] = {}
        for name, value in fields.items():
            if self.owner(name) is Owner.ITERABLE:
                continue
            if _is_empty(value):
                if name in self._nullable:
                    result[name] = None
                continue
            result[name] = value
        return result


def _is_empty(value: Any) -> bool:
    return value is None or value in ("", [], {})
