"""The generated store's records, independent of any wire format.

Money is `Decimal` (never float), times are timezone-aware UTC `datetime`s. The BigCommerce
emulator renders these into v2 or v3 JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class StoreProfile:
    store_hash: str
    store_id: int
    name: str
    domain: str
    admin_email: str
    currency: str
    timezone_name: str
    raw_offset: int
    dst_offset: int
    language: str
    country: str
    country_code: str
    default_shopper_language: str


@dataclass(frozen=True)
class Currency:
    id: int
    code: str
    name: str
    exchange_rate: Decimal  # amount of this currency per one unit of the store default
    is_default: bool
    country_iso2: str
    token: str
    decimal_places: int
    last_updated: datetime


@dataclass(frozen=True)
class Channel:
    id: int
    name: str
    type: str
    platform: str
    status: str
    date_created: datetime
    date_modified: datetime


@dataclass(frozen=True)
class CustomerGroup:
    id: int
    name: str
    is_default: bool
    is_group_for_guests: bool
    discount_percent: Decimal
    date_created: datetime
    date_modified: datetime


@dataclass(frozen=True)
class Category:
    id: int
    parent_id: int
    name: str
    url: str
    sort_order: int
    is_visible: bool
    description: str


@dataclass(frozen=True)
class Brand:
    id: int
    name: str
    url: str


@dataclass(frozen=True)
class ProductImage:
    id: int
    product_id: int
    is_thumbnail: bool
    sort_order: int
    description: str
    url: str
    date_modified: datetime


@dataclass(frozen=True)
class VariantOption:
    """One option value that makes up a variant (product-variants_catalog.v3.yml
    GET /catalog/products/{product_id}/variants 200 `data[].option_values[]`)."""

    option_id: int
    option_display_name: str
    id: int  # the option value id
    label: str
    type: str  # how an order line names the option: orderProductOptions `type`


@dataclass(frozen=True)
class Variant:
    id: int
    product_id: int
    sku: str
    price: Decimal | None
    sale_price: Decimal | None
    calculated_price: Decimal
    inventory_level: int
    option_values: tuple[VariantOption, ...]  # empty for a product's base variant
    image_url: str


@dataclass(frozen=True)
class CustomField:
    id: int
    name: str
    value: str


FormFieldValue = str | int | Decimal | tuple[str, ...]


@dataclass(frozen=True)
class FormField:
    """A checkout or account form field. Its value is text, a number, or the ticked choices of a
    checkbox field: customers.v3.yml GET /customers 200 `data[].form_fields[].value` and
    orders.v2.oas2.yml `#/components/schemas/formFields` `value` (oneOf string | number | array)."""

    name: str
    value: FormFieldValue


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    sku: str
    type: str
    description: str
    price: Decimal
    sale_price: Decimal
    retail_price: Decimal
    cost_price: Decimal
    weight: Decimal
    categories: tuple[int, ...]
    brand_id: int
    inventory_level: int
    inventory_tracking: str
    is_visible: bool
    is_featured: bool
    url: str
    date_created: datetime
    date_modified: datetime
    total_sold: int
    variants: tuple[Variant, ...]
    images: tuple[ProductImage, ...]
    custom_fields: tuple[CustomField, ...]
    availability: str = "available"  # available | disabled | preorder
    condition: str = "New"  # New | Used | Refurbished
    modifiers: tuple[
        str, ...
    ] = ()  # orderProductOptions types of the product's non-variant options

    @property
    def calculated_price(self) -> Decimal:
        return self.sale_price if self.sale_price > 0 else self.price


@dataclass(frozen=True)
class CustomerAttribute:
    id: int
    name: str
    type: str  # string | number | date
    date_created: datetime
    date_modified: datetime


@dataclass(frozen=True)
class Address:
    id: int
    first_name: str
    last_name: str
    company: str
    address1: str
    address2: str
    city: str
    state_or_province: str
    postal_code: str
    country: str
    country_code: str
    phone: str
    address_type: str
    form_fields: tuple[FormField, ...] = ()


@dataclass(frozen=True)
class AttributeValue:
    id: int
    attribute_id: int
    value: str
    date_created: datetime
    date_modified: datetime


@dataclass(frozen=True)
class Customer:
    id: int
    email: str
    first_name: str
    last_name: str
    company: str
    phone: str
    notes: str
    customer_group_id: int
    registration_ip_address: str
    date_created: datetime
    date_modified: datetime
    accepts_marketing: bool
    origin_channel_id: int
    channel_ids: tuple[int, ...]
    addresses: tuple[Address, ...]
    attribute_values: tuple[AttributeValue, ...]
    form_fields: tuple[FormField, ...]
    store_credit: Decimal


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    first_name: str
    last_name: str
    source: str  # storefront | order | custom
    order_id: int | None
    channel_id: int
    consents: tuple[str, ...]
    date_created: datetime
    date_modified: datetime


@dataclass(frozen=True)
class PostalAddress:
    """An order's billing or shipping address (v2 field names)."""

    first_name: str
    last_name: str
    company: str
    street_1: str
    street_2: str
    city: str
    state: str
    zip: str
    country: str
    country_iso2: str
    phone: str
    email: str


@dataclass(frozen=True)
class AppliedDiscount:
    """One discount on one order line (orders.v2.oas2.yml
    `#/components/schemas/orderProductAppliedDiscounts`): a coupon carries its `code`; a manual
    discount has none ("There is no code when creating a manual discount")."""

    id: str
    amount: Decimal
    name: str
    code: str | None
    target: str  # order | product


@dataclass(frozen=True)
class ProductOption:
    """An option the shopper chose (orders.v2.oas2.yml `#/components/schemas/orderProductOptions`,
    `type` enum): a variant's multiple choice or swatch, or a modifier (text, date, file...)."""

    id: int
    option_id: int
    product_option_id: int
    display_name: str
    display_value: str
    value: str
    type: str
    display_style: str


@dataclass(frozen=True)
class LineItem:
    id: int
    order_id: int
    product_id: int
    variant_id: int
    name: str
    sku: str
    brand: str
    quantity: int
    base_price: Decimal  # unit price before tax, order currency
    price_ex_tax: Decimal
    price_inc_tax: Decimal
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    quantity_refunded: int
    refund_amount: Decimal
    weight: Decimal
    type: str = "physical"  # physical | digital | giftcertificate
    applied_discounts: tuple[AppliedDiscount, ...] = ()
    options: tuple[ProductOption, ...] = ()
    gift_certificate_id: int | None = None
    wrapping_cost: Decimal = Decimal("0")  # per line, no tax


@dataclass(frozen=True)
class OrderCoupon:
    id: int
    coupon_id: int
    code: str
    amount: Decimal
    type: int  # 0 per_item, 1 percentage, 2 per_total, 3 shipping, 4 free_shipping, 5 promotion
    discount: Decimal

    @property
    def discounts_shipping(self) -> bool:
        return self.type in {3, 4}


@dataclass(frozen=True)
class Order:
    id: int
    customer_id: int  # 0 = guest
    status_id: int
    date_created: datetime
    date_modified: datetime
    date_shipped: datetime | None
    currency_id: int
    currency_code: str
    exchange_rate: Decimal  # store default -> order currency
    store_currency_code: str
    subtotal_ex_tax: Decimal
    subtotal_inc_tax: Decimal
    shipping_ex_tax: Decimal
    shipping_inc_tax: Decimal
    discount_amount: Decimal
    coupon_discount: Decimal
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    refunded_amount: Decimal
    store_credit_amount: Decimal
    is_deleted: bool
    channel_id: int
    cart_id: str
    payment_method: str
    payment_status: str
    is_email_opt_in: bool
    customer_message: str
    staff_notes: str
    order_source: str
    ip_address: str
    customer_locale: str
    billing_address: PostalAddress
    shipping_addresses: tuple[PostalAddress, ...]
    line_items: tuple[LineItem, ...]
    coupons: tuple[OrderCoupon, ...]
    gift_certificate_amount: Decimal = Decimal("0")  # paid with gift certificates
    handling_cost: Decimal = Decimal("0")  # no tax
    fee_cost: Decimal = Decimal("0")  # a surcharge (v2 order fees), no tax
    payment_provider_id: str | int = ""
    billing_form_fields: tuple[FormField, ...] = ()
    shipping_form_fields: tuple[FormField, ...] = ()

    @property
    def is_digital(self) -> bool:
        return all(item.type != "physical" for item in self.line_items)

    @property
    def wrapping_cost(self) -> Decimal:
        return sum((item.wrapping_cost for item in self.line_items), Decimal("0"))

    @property
    def total_tax(self) -> Decimal:
        return self.total_inc_tax - self.total_ex_tax

    @property
    def items_total(self) -> int:
        return sum(item.quantity for item in self.line_items)


@dataclass(frozen=True)
class RefundItem:
    item_type: str  # PRODUCT | ORDER | SHIPPING
    item_id: int
    quantity: int | None
    requested_amount: Decimal | None
    reason: str


@dataclass(frozen=True)
class Refund:
    id: int
    order_id: int
    created: datetime
    reason: str
    total_amount: Decimal
    total_tax: Decimal
    uses_merchant_override_values: bool
    items: tuple[RefundItem, ...]
    payment_provider: str
    payment_amount: Decimal
    payment_offline: bool


@dataclass
class CartLine:
    id: str
    product_id: int
    variant_id: int
    sku: str
    name: str
    url: str
    image_url: str
    quantity: int
    list_price: Decimal
    sale_price: Decimal


@dataclass
class Cart:
    """Mutable: carts change as shoppers act, then convert, expire or are deleted."""

    id: str
    customer_id: int
    email: str
    channel_id: int
    currency_code: str
    created: datetime
    updated: datetime
    lines: list[CartLine] = field(default_factory=list)
    state: str = "active"  # active | abandoned | converted | expired | deleted
    order_id: int | None = None
    abandoned_token: str | None = None
    coupon_code: str | None = None

    @property
    def base_amount(self) -> Decimal:
        return sum((line.sale_price * line.quantity for line in self.lines), Decimal("0"))

    @property
    def is_readable(self) -> bool:
        """Converted, expired and deleted carts answer 404."""
        return self.state in {"active", "abandoned"}
