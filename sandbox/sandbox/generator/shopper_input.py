"""What shoppers type: product options on order lines, checkout and account form fields.

Values come in every shape the specs allow, with empty strings, long and non-Latin text among
them, because real stores hold years of input from people and apps.
"""

from __future__ import annotations

import random
from decimal import Decimal

from sandbox.generator.model import FormField, Product, ProductOption, Variant

# Some text as shoppers really type it: long, in many scripts, with emoji and full-width
# punctuation (the look-alike characters are the point, hence the noqa).
LONG_MESSAGE = (
    "Bitte klingeln 🔔 — 请把包裹放在门口，谢谢！ Пожалуйста, позвоните заранее. "  # noqa: RUF001
    "يرجى ترك الطرد عند الباب. お届けは午前中にお願いします。 "
) * 12
_DISPLAY_STYLES = {
    "Multiple choice": "Rectangle",
    "Swatch": "",
    "Product Pick List": "Dropdown",
}


def line_options(
    rng: random.Random, line_id: int, product: Product, variant: Variant
) -> tuple[ProductOption, ...]:
    """The variant's options, then the product's modifiers as this shopper filled them in
    (orders.v2.oas2.yml #/components/schemas/orderProductOptions; `value`: "For file-upload
    type, it's a unique string describing the properties of the file upload. For other types,
    it's the value of the property")."""
    options = [
        ProductOption(
            id=line_id * 10 + index,
            option_id=chosen.option_id,
            product_option_id=chosen.option_id,
            display_name=chosen.option_display_name,
            display_value=chosen.label,
            # A multiple-choice option's value is its option value id, as text (the spec's
            # example: `value: '69'`, `display_value: S`).
            value=str(chosen.id),
            type=chosen.type,
            display_style=_DISPLAY_STYLES.get(chosen.type, ""),
        )
        for index, chosen in enumerate(variant.option_values)
    ]
    for offset, kind in enumerate(product.modifiers, start=len(options)):
        display, value = _modifier_value(rng, kind, line_id)
        options.append(
            ProductOption(
                id=line_id * 10 + offset,
                option_id=product.id * 10 + 9,
                product_option_id=product.id * 10 + 9,
                display_name=_MODIFIER_NAMES[kind],
                display_value=display,
                value=value,
                type=kind,
                display_style="",
            )
        )
    return tuple(options)


_MODIFIER_NAMES = {
    "Text field": "Engraving",
    "Multi-line text field": "Gift message",
    "Checkbox": "Gift wrap",
    "Date field": "Delivery date",
    "File Upload": "Your logo",
}


def _modifier_value(rng: random.Random, kind: str, line_id: int) -> tuple[str, str]:
    """(display_value, value) of a modifier; the spec gives no format for a date's value, so
    it is the text the shopper saw."""
    if kind == "Text field":
        text = rng.choice(["Anna & Ben", "", "Für Oma ❤", "永远", "J.R.R."])
        return text, text
    if kind == "Multi-line text field":
        text = rng.choice(["Happy birthday!\nLove, Sam", LONG_MESSAGE[:600], ""])
        return text, text
    if kind == "Checkbox":
        text = rng.choice(["Yes", "No"])
        return text, text
    if kind == "Date field":
        text = rng.choice(["Jan 5th 2025", "Dec 24th 2024", "Feb 29th 2024"])
        return text, text
    upload = f"{line_id:08x}{rng.getrandbits(64):016x}"
    return "logo.png", f"{upload}.png"


def checkout_form_fields(rng: random.Random) -> tuple[FormField, ...]:
    """Custom checkout fields on an address (orders.v2.oas2.yml #/components/schemas/formFields:
    `value` oneOf number | string | array): text, numbers, ticked checkboxes, nothing ticked."""
    fields = [FormField("Delivery instructions", rng.choice(["Leave at the door", "", "門の前"]))]
    if rng.random() < 0.5:
        fields.append(FormField("Floor", rng.choice([0, 3, 12])))
    if rng.random() < 0.5:
        fields.append(FormField("Tip (%)", Decimal(rng.choice(["10", "12.5"]))))
    if rng.random() < 0.6:
        fields.append(
            FormField("Extras", rng.choice([("Gift receipt",), ("Gift receipt", "No invoice"), ()]))
        )
    return tuple(fields)


def account_form_fields(rng: random.Random) -> tuple[FormField, ...]:
    """Custom account signup fields (customers.v3.yml GET /customers 200
    `data[].form_fields[].value`: oneOf string | number | array of string)."""
    fields = [FormField("How did you hear about us?", rng.choice(["Friend", "Search", "Ad", ""]))]
    if rng.random() < 0.4:
        fields.append(FormField("Shoe size (EU)", rng.choice([38, 42, 45])))
    if rng.random() < 0.4:
        fields.append(FormField("Interests", rng.choice([("Hiking",), ("Cooking", "手工"), ()])))
    if rng.random() < 0.2:
        fields.append(FormField("Loyalty points", Decimal(rng.choice(["120.5", "0"]))))
    return tuple(fields)


def address_form_fields(rng: random.Random) -> tuple[FormField, ...]:
    """Custom address fields (customers.v3.yml `data[].addresses[].form_fields[].value`)."""
    if rng.random() < 0.7:
        return ()
    return (
        FormField("Gate code", rng.choice(["1234", "", "#A-7"])),
        FormField("Floor", rng.choice([1, 2, 14])),
        FormField("Access", rng.choice([("Lift",), ("Stairs", "Ramp"), ()])),
    )
