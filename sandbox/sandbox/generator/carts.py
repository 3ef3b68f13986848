"""Shopper activity on carts: created, items added, then abandoned, converted, expired or deleted.

Carts live only in memory (there is no cart listing in the API); each step yields the
webhook events BigCommerce would send.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sandbox.generator.events import StoreEvent
from sandbox.generator.hashing import rng_seed
from sandbox.generator.model import Cart, CartLine
from sandbox.generator.orders import Pick
from sandbox.generator.people import ascii_slug, postal_address
from sandbox.generator.store import GeneratedStore

OUTCOMES = ("active", "abandoned", "converted", "expired", "deleted")


@dataclass
class CartActivity:
    carts: list[str] = field(default_factory=list)
    by_outcome: dict[str, list[str]] = field(default_factory=dict)
    order_ids: list[int] = field(default_factory=list)
    events: list[StoreEvent] = field(default_factory=list)


def simulate_carts(store: GeneratedStore, outcomes: list[str], at: datetime) -> CartActivity:
    """One new cart per entry of `outcomes`, each ending in that outcome."""
    activity = CartActivity()
    with store.lock:
        for outcome in outcomes:
            if outcome not in OUTCOMES:
                msg = f"unknown cart outcome {outcome!r}; expected one of {OUTCOMES}"
                raise ValueError(msg)
            number = len(store.carts) + 1
            rng = random.Random(rng_seed(store.seed, number, "cart"))
            cart = _new_cart(store, rng, number, at)
            store.carts[cart.id] = cart
            activity.carts.append(cart.id)
            activity.by_outcome.setdefault(outcome, []).append(cart.id)
            activity.events += _shop(store, rng, cart, at)
            activity.events += _finish(store, rng, cart, outcome=outcome, at=at, activity=activity)
    return activity


def _new_cart(store: GeneratedStore, rng: random.Random, number: int, at: datetime) -> Cart:
    cart_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    registered = rng.random() < 0.6 and store.customers.count > 0
    if registered:
        customer_id = rng.randrange(1, store.customers.count + 1)
        email = store.customer_factory.email(customer_id)
    else:
        customer_id = 0
        person = store.customer_factory.people.person(rng_seed(store.seed, number, "cart.p"))
        # Guests often have no email until checkout asks for it.
        email = (
            "" if number % 2 == 0 else f"{ascii_slug(person.first_name)}.cart{number}@example.net"
        )
    return Cart(
        id=cart_id,
        customer_id=customer_id,
        email=email,
        channel_id=1,
        currency_code=store.catalog.profile.currency,
        created=at,
        updated=at,
    )


def _shop(store: GeneratedStore, rng: random.Random, cart: Cart, at: datetime) -> list[StoreEvent]:
    events = [
        StoreEvent("store/cart/created", {"type": "cart", "id": cart.id}),
    ]
    for index, pick in enumerate(store.order_factory.pick(rng, rng.randrange(1, 4))):
        line = _line(store, pick, cart, index)
        cart.lines.append(line)
        cart.updated = at
        events.append(
            StoreEvent(
                "store/cart/lineItem/created",
                {"type": "cart_line_item", "id": line.id, "cartId": cart.id},
            )
        )
        events.append(StoreEvent("store/cart/updated", {"type": "cart", "id": cart.id}))
    return events


def _line(store: GeneratedStore, pick: Pick, cart: Cart, index: int) -> CartLine:
    product, variant, quantity = pick
    domain = store.catalog.profile.domain
    return CartLine(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{cart.id}/{index}")),
        product_id=product.id,
        variant_id=variant.id,
        sku=variant.sku,
        name=product.name,
        url=f"https://{domain}{product.url}",
        image_url=product.images[0].url if product.images else "",
        quantity=quantity,
        list_price=variant.calculated_price,
        sale_price=variant.calculated_price,
    )


def _finish(
    store: GeneratedStore,
    rng: random.Random,
    cart: Cart,
    *,
    outcome: str,
    at: datetime,
    activity: CartActivity,
) -> list[StoreEvent]:
    cart.state = outcome
    if outcome == "abandoned":
        cart.abandoned_token = uuid.UUID(int=rng.getrandbits(128)).hex
        return [
            StoreEvent(
                "store/cart/abandoned",
                {"type": "cart", "id": cart.id, "token": cart.abandoned_token},
            )
        ]
    if outcome == "deleted":
        return [StoreEvent("store/cart/deleted", {"type": "cart", "id": cart.id})]
    if outcome == "converted":
        events = []
        if not cart.email:
            # Checkout asks a guest for an email; BigCommerce reports it as a cart update.
            cart.email = f"checkout.{cart.id[:8]}@example.net"
            events.append(StoreEvent("store/cart/updated", {"type": "cart", "id": cart.id}))
        order_id = _place_order(store, cart, at + timedelta(seconds=1))
        cart.order_id = order_id
        activity.order_ids.append(order_id)
        return [
            *events,
            StoreEvent(
                "store/cart/converted", {"type": "cart", "id": cart.id, "orderId": order_id}
            ),
            StoreEvent("store/order/created", {"type": "order", "id": order_id}),
        ]
    return []  # active carts stay; expired carts simply disappear (404) without an event


def _place_order(store: GeneratedStore, cart: Cart, at: datetime) -> int:
    factory = store.order_factory
    order_id = store.orders.next_id()
    products = {p.id: p for p in store.catalog.products}
    picks = []
    for line in cart.lines:
        product = products[line.product_id]
        variant = next(v for v in product.variants if v.id == line.variant_id)
        picks.append(Pick(product, variant, line.quantity))
    order = factory.new_order(order_id, at, picks, currency_code=cart.currency_code)
    if cart.customer_id:
        person = store.customer_factory.person(cart.customer_id)
        billing = postal_address(person, cart.email)
    else:
        billing = replace(order.billing_address, email=cart.email)
    order = replace(
        order,
        customer_id=cart.customer_id,
        cart_id=cart.id,
        billing_address=billing,
        shipping_addresses=(billing,),
        store_credit_amount=Decimal("0"),
    )
    store.orders.put(order_id, order)
    return order_id
