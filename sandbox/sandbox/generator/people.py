"""Customers and newsletter subscribers, each derived on demand from (seed, id)."""

from __future__ import annotations

import functools
import random
import threading
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from faker import Faker

from sandbox.generator.catalog import Catalog
from sandbox.generator.hashing import rng_seed, salt, unit
from sandbox.generator.model import Address, AttributeValue, Customer, PostalAddress, Subscriber
from sandbox.generator.shopper_input import account_form_fields, address_form_fields
from sandbox.generator.timeline import CUSTOMERS_START, STORE_NOW, at_seconds, epoch, from_epoch

# locale, country name, ISO code, weight
LOCALES = (
    ("en_US", "United States", "US", 50),
    ("de_DE", "Germany", "DE", 12),
    ("fr_FR", "France", "FR", 10),
    ("es_ES", "Spain", "ES", 8),
    ("ja_JP", "Japan", "JP", 10),
    ("sv_SE", "Sweden", "SE", 10),
)
_EMAIL_DOMAINS = ("example.com", "example.org", "mail.example.net", "Example.COM")
_CUSTOMERS_SPAN = (STORE_NOW - CUSTOMERS_START).total_seconds()
_START_S = epoch(CUSTOMERS_START)
_NOW_S = epoch(STORE_NOW)
_CREATED = salt("customer.created")
_MODIFIED = salt("customer.modified")
_TIE_EVERY = 13  # every 13th customer is modified in the same second as the one before


@dataclass(frozen=True)
class Person:
    """A name, contact and address drawn for one locale."""

    locale: str
    first_name: str
    last_name: str
    phone: str
    company: str
    street: str
    city: str
    state: str
    postcode: str
    country: str
    country_code: str
    ip_address: str


class PeopleFaker:
    """Seeded Faker access; one instance per locale, guarded because Faker is stateful."""

    def __init__(self) -> None:
        self._fakers = {locale: Faker(locale) for locale, *_ in LOCALES}
        self._lock = threading.Lock()
        # Orders look their customers up again and again; people are immutable.
        self._cached = functools.lru_cache(maxsize=16384)(self._person)

    def person(self, seed: int) -> Person:
        return self._cached(seed)

    def _person(self, seed: int) -> Person:
        chooser = random.Random(seed)
        locale, country, code, _ = chooser.choices(LOCALES, weights=[w[3] for w in LOCALES])[0]
        with self._lock:
            fake = self._fakers[locale]
            fake.seed_instance(seed)
            return Person(
                locale=locale,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                phone=fake.phone_number(),
                company=fake.company() if chooser.random() < 0.3 else "",
                street=fake.street_address(),
                city=fake.city(),
                state=fake.administrative_unit(),
                postcode=fake.postcode(),
                country=country,
                country_code=code,
                ip_address=_public_ip(chooser),
            )


def _public_ip(rng: random.Random) -> str:
    """A documentation-free, public-looking IPv4 address (Faker's is slow to draw)."""
    first = rng.choice([23, 31, 45, 62, 81, 94, 104, 138, 151, 176, 185, 203, 212])
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def ascii_slug(text: str) -> str:
    """Email-safe ASCII for a name (non-Latin names become 'user')."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = "".join(ch for ch in folded.lower() if ch.isalnum())
    return cleaned or "user"


def customer_email(person: Person, customer_id: int) -> str:
    """Unique per customer; every 7th keeps capitals, as shoppers type them."""
    domain = _EMAIL_DOMAINS[customer_id % len(_EMAIL_DOMAINS)]
    local = f"{ascii_slug(person.first_name)}.{ascii_slug(person.last_name)}.{customer_id}"
    if customer_id % 7 == 3:
        local = local.title()
    return f"{local}@{domain}"


class CustomerFactory:
    def __init__(self, seed: int, count: int, catalog: Catalog, people: PeopleFaker) -> None:
        self.seed = seed
        self.count = count
        self.catalog = catalog
        self.people = people

    def created_epoch(self, customer_id: int) -> int:
        spacing = _CUSTOMERS_SPAN * 0.5 / max(self.count, 1)
        offset = (customer_id - 1) * spacing + unit(self.seed, customer_id, _CREATED) * spacing
        return _START_S + int(offset)

    def modified_epoch(self, customer_id: int) -> int:
        created = self.created_epoch(customer_id)
        if customer_id % _TIE_EVERY == 0 and customer_id > 1:
            return max(self.modified_epoch(customer_id - 1), created)
        roll = unit(self.seed, customer_id, _MODIFIED)
        if roll < 0.4:
            return created
        return created + int((_NOW_S - created - 1) * roll)

    def created(self, customer_id: int) -> datetime:
        return from_epoch(self.created_epoch(customer_id))

    def count_created_by(self, moment_epoch: int) -> int:
        """How many customers (ids 1..n, created in id order) exist at `moment_epoch`."""
        spacing = _CUSTOMERS_SPAN * 0.5 / max(self.count, 1)
        n = max(0, min(self.count, int((moment_epoch - _START_S) / spacing)))
        while n < self.count and self.created_epoch(n + 1) <= moment_epoch:
            n += 1
        while n > 0 and self.created_epoch(n) > moment_epoch:
            n -= 1
        return n

    def modified(self, customer_id: int) -> datetime:
        return from_epoch(self.modified_epoch(customer_id))

    def person(self, customer_id: int) -> Person:
        return self.people.person(rng_seed(self.seed, customer_id, "customer.person"))

    def email(self, customer_id: int) -> str:
        return customer_email(self.person(customer_id), customer_id)

    def build(self, customer_id: int) -> Customer:
        rng = random.Random(rng_seed(self.seed, customer_id, "customer"))
        # New shapes draw from their own stream, so the older draws stay as they were.
        extras = random.Random(rng_seed(self.seed, customer_id, "customer.extras"))
        person = self.person(customer_id)
        created = self.created(customer_id)
        modified = self.modified(customer_id)
        # Customer 2 has the maximum of ten addresses; most have one to three.
        address_count = 10 if customer_id == 2 else rng.choice([0, 1, 1, 1, 2, 3])
        addresses = tuple(
            replace(
                self._address(customer_id, index, person if index == 0 else None),
                form_fields=address_form_fields(extras),
            )
            for index in range(address_count)
        )
        attribute_values = tuple(
            AttributeValue(
                id=customer_id * 10 + attribute.id,
                attribute_id=attribute.id,
                value=self._attribute_value(rng, attribute.type),
                date_created=created,
                date_modified=modified,
            )
            for attribute in self.catalog.attributes
            if rng.random() < 0.6
        )
        groups = [g.id for g in self.catalog.customer_groups if not g.is_group_for_guests]
        return Customer(
            id=customer_id,
            email=customer_email(person, customer_id),
            first_name=person.first_name,
            last_name=person.last_name,
            company=person.company,
            phone=person.phone if rng.random() < 0.8 else "",
            notes="Prefers email contact" if rng.random() < 0.1 else "",
            customer_group_id=rng.choice(groups) if rng.random() < 0.4 else 0,
            registration_ip_address=person.ip_address,
            date_created=created,
            date_modified=modified,
            accepts_marketing=rng.random() < 0.55,
            origin_channel_id=1,
            channel_ids=(1,) if rng.random() < 0.8 else (1, 2),
            addresses=addresses,
            attribute_values=attribute_values,
            form_fields=account_form_fields(extras),
            store_credit=Decimal(rng.choice([0, 0, 0, 10, 25])).quantize(Decimal("0.01")),
        )

    def _address(self, customer_id: int, index: int, person: Person | None) -> Address:
        who = person or self.people.person(rng_seed(self.seed, customer_id * 16 + index, "addr"))
        return Address(
            id=customer_id * 16 + index,
            first_name=who.first_name,
            last_name=who.last_name,
            company=who.company,
            address1=who.street,
            address2="" if index % 2 == 0 else f"Apt {index + 1}",
            city=who.city,
            state_or_province=who.state,
            postal_code=who.postcode,
            country=who.country,
            country_code=who.country_code,
            phone=who.phone,
            address_type="residential" if index % 3 else "commercial",
        )

    @staticmethod
    def _attribute_value(rng: random.Random, kind: str) -> str:
        if kind == "number":
            return str(rng.randrange(35, 47))
        if kind == "date":
            born = datetime(1950, 1, 1) + timedelta(days=rng.randrange(0, 20000))
            return born.strftime("%Y-%m-%d")
        return rng.choice(["red", "teal", "bleu ciel", "緑", "gold", "silver"])


def postal_address(person: Person, email: str) -> PostalAddress:
    return PostalAddress(
        first_name=person.first_name,
        last_name=person.last_name,
        company=person.company,
        street_1=person.street,
        street_2="",
        city=person.city,
        state=person.state,
        zip=person.postcode,
        country=person.country,
        country_iso2=person.country_code,
        phone=person.phone,
        email=email,
    )


class SubscriberFactory:
    """Newsletter subscribers: most are customers, some are strangers, some unsubscribed."""

    def __init__(self, seed: int, count: int, customers: CustomerFactory) -> None:
        self.seed = seed
        self.count = count
        self.customers = customers

    def modified(self, subscriber_id: int) -> datetime:
        return self._created(subscriber_id) + timedelta(
            seconds=int(unit(self.seed, subscriber_id, _MODIFIED) * 86400 * 30)
        )

    def _created(self, subscriber_id: int) -> datetime:
        spacing = _CUSTOMERS_SPAN * 0.9 / max(self.count, 1)
        return at_seconds(CUSTOMERS_START, (subscriber_id - 1) * spacing)

    @staticmethod
    def _consents(rng: random.Random, subscriber_id: int) -> tuple[str, ...]:
        """subscribers.v3.yml GET /customers/subscribers 200 `data[].consents[]` enum:
        marketing_newsletter, abandoned_cart."""
        if rng.random() < 0.15:
            return ()
        if subscriber_id % 4 == 1:
            return ("marketing_newsletter", "abandoned_cart")
        return ("marketing_newsletter",)

    def build(self, subscriber_id: int) -> Subscriber:
        rng = random.Random(rng_seed(self.seed, subscriber_id, "subscriber"))
        customer_id = 1 + (subscriber_id * 3 - 1) % max(self.customers.count, 1)
        if rng.random() < 0.7:
            person = self.customers.person(customer_id)
            email = self.customers.email(customer_id)
            # The same person typed differently: case and stray spaces.
            if subscriber_id % 5 == 0:
                email = f" {email.upper()} "
            source = "storefront"
        else:
            person = self.customers.people.person(rng_seed(self.seed, subscriber_id, "sub.p"))
            email = f"{ascii_slug(person.first_name)}.news{subscriber_id}@example.net"
            if subscriber_id % 11 == 0:
                email = f"{ascii_slug(person.last_name)}@invalid"  # no top-level domain
            source = rng.choice(["storefront", "custom"])
        return Subscriber(
            id=subscriber_id,
            email=email,
            first_name=person.first_name,
            last_name=person.last_name,
            source=source,
            order_id=None,
            channel_id=1,
            consents=self._consents(rng, subscriber_id),
            date_created=self._created(subscriber_id),
            date_modified=self.modified(subscriber_id),
        )
