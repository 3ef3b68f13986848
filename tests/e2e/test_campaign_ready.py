"""A real `meltano run` whose profiles are ready for SMS and email campaigns.

The BigCommerce emulator's shoppers type their phone numbers as people do (national formats of six
countries, extensions, `001-` prefixes); the Iterable emulator flags every `phoneNumber` it
receives that is not E.164, and there must be none.
"""

from __future__ import annotations

import re

import phonenumbers
import pytest

from sandbox.iterable.inspect import IterableInspector

from .conftest import Pipeline

pytestmark = pytest.mark.e2e

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
SUBSCRIPTION_KEYS = {
    "emailListIds",
    "userListIds",
    "unsubscribedChannelIds",
    "unsubscribedMessageTypeIds",
    "subscribedMessageTypeIds",
}


def test_profiles_carry_e164_numbers_locale_time_zone_and_triggers(pipeline: Pipeline) -> None:
    pipeline.run()

    with IterableInspector(pipeline.iterable.api_url) as inspector:
        assert inspector.non_e164_phone_numbers() == []
        users = inspector.users()
        events = inspector.events()

    fields = [user["dataFields"] for user in users]
    numbers = [f["phoneNumber"] for f in fields if "phoneNumber" in f]
    assert len(numbers) >= 5, "too few valid numbers reached Iterable to prove anything"
    assert all(E164.match(number) for number in numbers)
    # Free text went in (the original stays in `phone`), from several countries.
    assert any(
        f.get("phone") not in (None, f.get("phoneNumber")) for f in fields if "phoneNumber" in f
    )
    regions = {phonenumbers.region_code_for_number(phonenumbers.parse(n)) for n in numbers}
    assert len(regions) >= 3, regions
    # Every profile has a locale and the store's IANA time zone.
    assert all(f.get("locale") for f in fields)
    store_zone = pipeline.bigcommerce.emulator.store.catalog.profile.timezone_name
    assert {f.get("timeZone") for f in fields} == {store_zone}
    # Consent is facts, never subscription state.
    assert not any(SUBSCRIPTION_KEYS & set(f) for f in fields)
    assert any("newsletterSubscriberAt" in f for f in fields)

    names = {event["eventName"] for event in events}
    assert {"bc_account_created", "bc_first_purchase", "bc_repeat_purchase"} <= names
