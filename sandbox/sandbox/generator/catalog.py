"""The small, fully in-memory part of a store: settings, currencies, channels, groups, catalog."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sandbox.generator.hashing import rng_seed
from sandbox.generator.model import (
    Brand,
    Category,
    Channel,
    Currency,
    CustomerAttribute,
    CustomerGroup,
    CustomField,
    Product,
    ProductImage,
    StoreProfile,
    Variant,
    VariantOption,
)
from sandbox.generator.timeline import CATALOG_START, STORE_TIMEZONE, at_seconds

CENT = Decimal("0.01")

# code, name, rate per USD, country, token, decimals
_CURRENCIES = (
    ("USD", "US Dollar", "1.0000000000", "US", "$", 2),
    ("EUR", "Euro", "0.9215000000", "DE", "€", 2),
    ("GBP", "British Pound", "0.7893000000", "GB", "£", 2),
    ("CAD", "Canadian Dollar", "1.3642000000", "CA", "$", 2),
    ("JPY", "Japanese Yen", "151.2300000000", "JP", "¥", 0),
)

# Three levels: departments, sections, shelves. Some names are deliberately non-ASCII.
_DEPARTMENTS = {
    "Clothing": {"Men": ["Shirts", "Trousers"], "Women": ["Dresses", "Tops"], "Kids": ["Tees"]},
    "Home & Kitchen": {"Kitchen": ["Mugs", "Cookware"], "Décor": ["Candles", "Vases"]},
    "Électronique": {"Audio": ["Headphones", "Speakers"], "Accessories": ["Cables"]},
    "Outdoor": {"Camping": ["Tents", "Lamps"], "Garden": ["Planters"]},
}

_BRANDS = (
    "Northwind",
    "Acme",
    "Blåbær Design",
    "Contoso",
    "Fábrica Luz",
    "株式会社サクラ",
    "Umbra",
)
_ADJECTIVES = ("Classic", "Organic", "Vintage", "Ultra", "Café", "Cozy", "Smart", "Rustic", "Zen")
_MATERIALS = ("Cotton", "Ceramic", "Oak", "Wool", "Steel", "Linen", "Bamboo", "Leather")
_IMAGE_HOST = "https://cdn.sandbox.example"
_SIZES = ("S", "M", "L", "XL")
# Variant options: (display name, orderProductOptions `type` an order line gives it, values).
# orders.v2.oas2.yml #/components/schemas/orderProductOptions `type` enum: variant options are
# "Multiple choice", "Swatch" or "Product Pick List"; the rest are modifiers (no variants).
_SIZE_OPTION = ("Size", "Multiple choice", _SIZES)
_BIG_OPTIONS = (
    ("Size", "Multiple choice", ("XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL")),
    ("Color", "Swatch", ("Black", "White", "Navy", "Olive", "Rust", "Sand", "Rosé", "藍色")),
    ("Fabric", "Product Pick List", ("Cotton", "Linen", "Wool", "Hemp", "Silk")),
)  # 8 x 8 x 5 = 320 variants: real apparel stores have products with hundreds
_MODIFIER_TYPES = ("Text field", "Multi-line text field", "Checkbox", "Date field", "File Upload")
_ATTRIBUTES = (
    ("shoe_size", "number"),
    ("birthday", "date"),
    ("favorite_color", "string"),
    ("loyalty_tier", "string"),
)


@dataclass(frozen=True)
class Catalog:
    profile: StoreProfile
    currencies: tuple[Currency, ...]
    channels: tuple[Channel, ...]
    customer_groups: tuple[CustomerGroup, ...]
    categories: tuple[Category, ...]
    brands: tuple[Brand, ...]
    products: tuple[Product, ...]
    attributes: tuple[CustomerAttribute, ...]

    def currency(self, code: str) -> Currency:
        return next(c for c in self.currencies if c.code == code)


def build_catalog(seed: int, store_hash: str, product_count: int) -> Catalog:
    rng = random.Random(rng_seed(seed, 0, "catalog"))
    profile = StoreProfile(
        store_hash=store_hash,
        store_id=1000000 + seed,
        name="Sandbox Outfitters",
        domain="sandbox-outfitters.example",
        admin_email="owner@sandbox-outfitters.example",
        currency="USD",
        timezone_name=STORE_TIMEZONE,
        raw_offset=-21600,
        dst_offset=-18000,
        language="en",
        country="United States",
        country_code="US",
        default_shopper_language="en",
    )
    currencies = tuple(
        Currency(
            id=index + 1,
            code=code,
            name=name,
            exchange_rate=Decimal(rate),
            is_default=index == 0,
            country_iso2=country,
            token=token,
            decimal_places=places,
            last_updated=CATALOG_START + timedelta(days=index),
        )
        for index, (code, name, rate, country, token, places) in enumerate(_CURRENCIES)
    )
    channels = (
        Channel(
            1,
            "Sandbox Outfitters",
            "storefront",
            "bigcommerce",
            "active",
            CATALOG_START,
            CATALOG_START + timedelta(days=30),
        ),
        Channel(
            2,
            "Sandbox POS",
            "pos",
            "square",
            "active",
            CATALOG_START + timedelta(days=90),
            CATALOG_START + timedelta(days=120),
        ),
    )
    groups = (
        CustomerGroup(1, "Retail", True, False, Decimal("0"), CATALOG_START, CATALOG_START),
        CustomerGroup(
            2,
            "Wholesale",
            False,
            False,
            Decimal("15"),
            CATALOG_START,
            CATALOG_START + timedelta(days=10),
        ),
        CustomerGroup(
            3,
            "VIP — Clientèle",
            False,
            False,
            Decimal("5"),
            CATALOG_START,
            CATALOG_START + timedelta(days=20),
        ),
        CustomerGroup(4, "Guests", False, True, Decimal("0"), CATALOG_START, CATALOG_START),
    )
    categories = _categories()
    brands = tuple(
        Brand(index + 1, name, f"/brands/{index + 1}/") for index, name in enumerate(_BRANDS)
    )
    shelves = [c for c in categories if c.id not in {p.parent_id for p in categories}]
    products = tuple(
        _product(rng, seed, number, shelves, brands) for number in range(1, product_count + 1)
    )
    attributes = tuple(
        CustomerAttribute(index + 1, name, kind, CATALOG_START, CATALOG_START + timedelta(days=1))
        for index, (name, kind) in enumerate(_ATTRIBUTES)
    )
    return Catalog(profile, currencies, channels, groups, categories, brands, products, attributes)


def _categories() -> tuple[Category, ...]:
    result: list[Category] = []

    def add(parent_id: int, name: str, url: str) -> int:
        category_id = len(result) + 1
        result.append(
            Category(
                id=category_id,
                parent_id=parent_id,
                name=name,
                url=url,
                sort_order=category_id,
                is_visible=True,
                description=f"<p>{name}</p>",
            )
        )
        return category_id

    for department, sections in _DEPARTMENTS.items():
        dept_url = f"/{_slug(department)}/"
        dept_id = add(0, department, dept_url)
        for section, shelves in sections.items():
            section_url = f"{dept_url}{_slug(section)}/"
            section_id = add(dept_id, section, section_url)
            for shelf in shelves:
                add(section_id, shelf, f"{section_url}{_slug(shelf)}/")
    return tuple(result)


def _slug(text: str) -> str:
    return "-".join(text.lower().replace("&", "and").split())


@dataclass(frozen=True)
class ProductKind:
    """The shape of a product: its options, type and the enums the products spec allows
    (products_catalog.v3.yml GET /catalog/products 200 `data[].type`, `availability`,
    `condition`, `inventory_tracking` enums)."""

    options: tuple[tuple[str, str, tuple[str, ...]], ...]
    digital: bool
    availability: str
    condition: str
    inventory_tracking: str
    modifiers: tuple[str, ...]


def _product_kind(seed: int, number: int) -> ProductKind:
    """Drawn on its own stream, so adding shapes leaves the other draws of a product alone."""
    own = random.Random(rng_seed(seed, number, "product.kind"))
    roll = own.random()
    digital = number % 20 == 4  # e-books, patterns, gift cards sold as downloads
    if number % 100 == 3:
        options: tuple[tuple[str, str, tuple[str, ...]], ...] = _BIG_OPTIONS
    elif digital or roll < 0.5:
        options = ()
    else:
        name, kind, values = _SIZE_OPTION
        if roll > 0.85:
            name, kind = "Colour", "Swatch"
            values = ("Red", "Teal", "Ochre", "Slate")
        options = ((name, kind, values[: 2 + int(roll * 100) % 3]),)
    # By number, so even a 20-product store has one of each.
    availability = {5: "preorder", 13: "disabled"}.get(number % 16, "available")
    condition = {2: "Used", 8: "Refurbished"}.get(number % 12, "New")
    tracking = "variant" if options else "product"
    if digital or number % 25 == 7:
        tracking = "none"
    modifiers: tuple[str, ...] = ()
    if number % 4 == 1:  # a quarter of the products, every modifier type among the first 20
        modifiers = (_MODIFIER_TYPES[(number // 4) % len(_MODIFIER_TYPES)],)
    return ProductKind(options, digital, availability, condition, tracking, modifiers)


def _variants(
    own: random.Random,
    number: int,
    *,
    sku: str,
    price: Decimal,
    sale_price: Decimal,
    kind: ProductKind,
) -> tuple[Variant, ...]:
    if not kind.options:
        return (
            Variant(
                id=number * 10 + 1,
                product_id=number,
                sku=sku,
                price=None,
                sale_price=None,
                calculated_price=sale_price or price,
                inventory_level=own.randrange(0, 200),
                option_values=(),
                image_url="",
            ),
        )
    # Small products keep ids number*10+n; products with hundreds of variants get their own range.
    first_id = 100_000 + number * 1000 if len(kind.options) > 1 else number * 10
    combos: list[tuple[VariantOption, ...]] = [()]
    for option_index, (name, option_type, values) in enumerate(kind.options):
        option_id = number * 10 + option_index
        combos = [
            (
                *combo,
                VariantOption(
                    option_id=option_id,
                    option_display_name=name,
                    id=option_id * 100 + value_index + 1,
                    label=value,
                    type=option_type,
                ),
            )
            for combo in combos
            for value_index, value in enumerate(values)
        ]
    variants = []
    for index, combo in enumerate(combos):
        # The first two variants sell at the product's price (`price: null`), the rest at +2.00.
        own_price = None if index < 2 else price + Decimal("2.00")
        suffix = "-".join(_sku_part(option.label) for option in combo)
        variants.append(
            Variant(
                id=first_id + index + 1,
                product_id=number,
                sku=f"{sku}-{suffix}",
                price=own_price,
                sale_price=None,
                calculated_price=(sale_price or price) if own_price is None else own_price,
                inventory_level=own.randrange(0, 80),
                option_values=combo,
                image_url="",
            )
        )
    return tuple(variants)


# Merchants paste long, many-script descriptions (HTML from other shops, translations); the
# full-width and look-alike characters are the point, hence the noqa.
_LONG_TEXT = (
    "Хлопок высшего качества. 纯棉面料，手工缝制。 قطن عالي الجودة. Βαμβάκι υψηλής ποιότητας. "  # noqa: RUF001
    "कपास। 최고급 면. Ａｌｌ－ｗｅａｔｈｅｒ. Z̤͔ͧa̴l͢g̨o text & emoji 🧵🪡👕. "  # noqa: RUF001
)


def _description(name: str, tagline: str, number: int) -> str:
    if number % 50 == 9:
        return f"<p>{name}. {tagline}</p>" + f"<p>{_LONG_TEXT}</p>" * 40
    return f"<p>{name}. {tagline}</p>"


def _sku_part(label: str) -> str:
    ascii_label = "".join(ch for ch in label.upper() if ch.isascii() and ch.isalnum())
    return ascii_label or f"U{sum(map(ord, label)) % 1000}"


def _product(
    rng: random.Random, seed: int, number: int, shelves: list[Category], brands: tuple[Brand, ...]
) -> Product:
    own = random.Random(rng_seed(seed, number, "product"))
    shelf = own.choice(shelves)
    name = f"{own.choice(_ADJECTIVES)} {own.choice(_MATERIALS)} {shelf.name.rstrip('s')} {number}"
    price = Decimal(own.randrange(500, 25000)) / 100
    on_sale = own.random() < 0.3
    sale_price = (price * Decimal("0.8")).quantize(CENT) if on_sale else Decimal("0")
    created = at_seconds(CATALOG_START, own.uniform(0, 300 * 86400))
    modified = at_seconds(created, own.uniform(0, 200 * 86400))
    sku = f"SB-{number:05d}"
    kind = _product_kind(seed, number)
    variants = _variants(own, number, sku=sku, price=price, sale_price=sale_price, kind=kind)
    images = tuple(
        ProductImage(
            id=number * 10 + index + 1,
            product_id=number,
            is_thumbnail=index == 0,
            sort_order=index,
            description=f"{name} view {index + 1}",
            url=f"{_IMAGE_HOST}/products/{number}/images/{number * 10 + index + 1}.jpg",
            date_modified=modified,
        )
        for index in range(own.randrange(1, 4))
    )
    custom_fields = tuple(
        CustomField(number * 10 + index + 1, field_name, value)
        for index, (field_name, value) in enumerate(
            [("Material", name.split()[1]), ("Origin", own.choice(["PT", "VN", "US", "DE"]))][
                : own.randrange(0, 3)
            ]
        )
    )
    categories = (shelf.id, shelf.parent_id) if own.random() < 0.3 else (shelf.id,)
    inventory = sum(v.inventory_level for v in variants)
    return Product(
        id=number,
        name=name,
        sku=sku,
        type="digital" if kind.digital else "physical",
        description=_description(
            name, rng.choice(["Handmade.", "Best seller.", "Limited run."]), number
        ),
        price=price,
        sale_price=sale_price,
        retail_price=(price * Decimal("1.2")).quantize(CENT),
        cost_price=(price * Decimal("0.45")).quantize(CENT),
        weight=Decimal(own.randrange(1, 50)) / 10,
        categories=categories,
        brand_id=own.choice(brands).id,
        inventory_level=inventory,
        inventory_tracking=kind.inventory_tracking,
        is_visible=own.random() > 0.05,
        is_featured=own.random() < 0.1,
        url=f"/{_slug(name)}/",
        date_created=created,
        date_modified=modified,
        total_sold=own.randrange(0, 500),
        variants=variants,
        images=images,
        custom_fields=custom_fields,
        availability=kind.availability,
        condition=kind.condition,
        modifiers=kind.modifiers,
    )
