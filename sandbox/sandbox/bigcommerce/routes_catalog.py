"""v3 catalog: products (with variants, images, custom fields), categories, trees, brands."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bigcommerce import serialize_v3
from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.bigcommerce.errors import v3_error
from sandbox.bigcommerce.listing import v3_page
from sandbox.bigcommerce.queries import product_ids
from sandbox.bigcommerce.responses import ExactJSONResponse, v3_single
from sandbox.bigcommerce.wire import BadFilter, parse_bool, parse_int, parse_int_list
from sandbox.generator.model import Category

TREE_ID = 1
_KNOWN_PRODUCT_INCLUDES = serialize_v3.PRODUCT_INCLUDES | {
    "bulk_pricing_rules",
    "channels",
    "modifiers",
    "options",
    "parent_relations",
    "reviews",
    "videos",
}


def _product_includes(request: Request) -> set[str]:
    raw = request.query_params.get("include", "")
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    if wanted - _KNOWN_PRODUCT_INCLUDES:
        raise BadFilter("include", raw)
    return wanted


def _filter_categories(
    request: Request, categories: list[Category], id_field: str
) -> list[Category]:
    query = request.query_params
    if id_field in query:
        wanted = parse_int_list(id_field, query[id_field])
        categories = [c for c in categories if c.id in wanted]
    if "parent_id:in" in query:
        parents = parse_int_list("parent_id:in", query["parent_id:in"])
        categories = [c for c in categories if c.parent_id in parents]
    if "parent_id" in query:
        parent = parse_int("parent_id", query["parent_id"], 0)
        categories = [c for c in categories if c.parent_id == parent]
    if "is_visible" in query:
        visible = parse_bool("is_visible", query["is_visible"])
        categories = [c for c in categories if c.is_visible == visible]
    if "name" in query:
        categories = [c for c in categories if c.name == query["name"]]
    return categories


def catalog_routes(emulator: BigCommerceEmulator) -> list[Route]:
    store = emulator.store
    catalog = store.catalog

    async def list_products(request: Request) -> Response:
        includes = _product_includes(request)
        ids = product_ids(store, request.query_params, now=datetime.now(UTC))

        def render(product_id: int) -> dict[str, object] | None:
            product = store.products.get(product_id)
            return None if product is None else serialize_v3.product(product, includes)

        return v3_page(request, ids, render)

    async def get_product(request: Request) -> Response:
        product_id = parse_int("product_id", request.path_params["product_id"], 0)
        product = store.products.get(product_id)
        if product is None:
            return v3_error(404, "The requested product was not found.")
        return v3_single(serialize_v3.product(product, _product_includes(request)))

    async def list_categories(request: Request) -> Response:
        categories = _filter_categories(request, list(catalog.categories), "id:in")
        return v3_page(request, categories, serialize_v3.category)

    async def list_tree_categories(request: Request) -> Response:
        query = request.query_params
        if "tree_id:in" in query and TREE_ID not in parse_int_list(
            "tree_id:in", query["tree_id:in"]
        ):
            categories: list[Category] = []
        else:
            categories = _filter_categories(request, list(catalog.categories), "category_id:in")
        return v3_page(request, categories, lambda c: serialize_v3.tree_category(c, TREE_ID))

    async def list_trees(request: Request) -> Response:
        trees = [{"id": TREE_ID, "name": "Default", "channels": [1, 2]}]
        return v3_page(request, trees, lambda tree: tree)

    async def tree_of_categories(request: Request) -> Response:
        tree_id = parse_int("tree_id", request.path_params["tree_id"], 0)
        if tree_id != TREE_ID:
            return v3_error(404, "The tree was not found.")
        nodes = serialize_v3.category_nodes(list(catalog.categories))
        return ExactJSONResponse({"data": nodes, "meta": {}})

    async def list_brands(request: Request) -> Response:
        brands = list(catalog.brands)
        query = request.query_params
        if "id:in" in query:
            wanted = parse_int_list("id:in", query["id:in"])
            brands = [b for b in brands if b.id in wanted]
        if "name" in query:
            brands = [b for b in brands if b.name == query["name"]]
        return v3_page(request, brands, serialize_v3.brand)

    return [
        Route("/v3/catalog/products", list_products),
        Route("/v3/catalog/products/{product_id}", get_product),
        Route("/v3/catalog/categories", list_categories),
        Route("/v3/catalog/trees", list_trees),
        Route("/v3/catalog/trees/categories", list_tree_categories),
        Route("/v3/catalog/trees/{tree_id}/categories", tree_of_categories),
        Route("/v3/catalog/brands", list_brands),
    ]
