"""v3 carts, checkouts and abandoned-cart tokens: read by id only (there is no cart listing)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bigcommerce import serialize_carts
from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.bigcommerce.errors import checkout_error, v3_error
from sandbox.bigcommerce.responses import v3_single
from sandbox.generator.model import Cart


def cart_routes(emulator: BigCommerceEmulator) -> list[Route]:
    store = emulator.store

    def readable(cart_id: str) -> Cart | None:
        with store.lock:
            cart = store.carts.get(cart_id)
            return cart if cart is not None and cart.is_readable else None

    async def get_cart(request: Request) -> Response:
        cart = readable(request.path_params["cart_id"])
        if cart is None:
            return v3_error(404, "Cart not found")
        return v3_single(serialize_carts.cart(cart, store.catalog.profile.language))

    async def get_checkout(request: Request) -> Response:
        cart = readable(request.path_params["checkout_id"])
        if cart is None:
            return checkout_error(404, "Checkout not found")
        return v3_single(serialize_carts.checkout(cart))

    async def get_abandoned_cart(request: Request) -> Response:
        token = request.path_params["token"]
        with store.lock:
            match = next(
                (c for c in store.carts.values() if c.abandoned_token == token and c.is_readable),
                None,
            )
        if match is None:
            return v3_error(404, "Abandoned cart not found")
        return v3_single({"cart_id": match.id})

    return [
        Route("/v3/carts/{cart_id}", get_cart),
        Route("/v3/checkouts/{checkout_id}", get_checkout),
        Route("/v3/abandoned-carts/{token}", get_abandoned_cart),
    ]
