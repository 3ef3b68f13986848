"""Free-text BigCommerce phone numbers to E.164, the only form Iterable sends SMS to.

BigCommerce phone fields are whatever the shopper typed (`(512) 555-0123`, `0171 1234567`,
`+44 20 7946 0000 ext. 12`). A number written without its country code is read in the region of
the first known country of the person (address, then billing, then the store). A number that is
not valid, or a text holding several numbers, is never written: the reason is returned instead, so
the run summary can count it. Extensions are dropped (E.164 has none); the original text stays in
the `phone` fact.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberMatcher

# Reasons a number is not written (the run summary counts them under these names).
NO_REGION = "no country code and no known region"
NOT_A_NUMBER = "not a phone number"
TOO_SHORT = "too short"
TOO_LONG = "too long"
INVALID_COUNTRY_CODE = "invalid country code"
INVALID = "invalid for its region"
AMBIGUOUS = "ambiguous (several numbers in one field)"

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: INVALID_COUNTRY_CODE,
    NumberParseException.NOT_A_NUMBER: NOT_A_NUMBER,
    NumberParseException.TOO_SHORT_AFTER_IDD: TOO_SHORT,
    NumberParseException.TOO_SHORT_NSN: TOO_SHORT,
    NumberParseException.TOO_LONG: TOO_LONG,
}


@dataclass(frozen=True)
class PhoneResult:
    """`e164` when the number can be written, else the `problem` (None: there was no number)."""

    e164: str | None = None
    problem: str | None = None


def region_of(*candidates: str | None) -> str | None:
    """The first candidate that is an ISO 3166-1 alpha-2 code phonenumbers knows."""
    for candidate in candidates:
        code = (candidate or "").strip().upper()
        if code and code in phonenumbers.SUPPORTED_REGIONS:
            return code
    return None


def to_e164(raw: str | None, region: str | None) -> PhoneResult:
    """The E.164 form of a free-text number read in `region` (ISO 3166-1 alpha-2, or None)."""
    text = (raw or "").strip()
    if not text:
        return PhoneResult()
    if _holds_several_numbers(text, region):
        return PhoneResult(problem=AMBIGUOUS)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE and region is None:
            return PhoneResult(problem=NO_REGION)
        return PhoneResult(problem=_PARSE_REASONS.get(exc.error_type, NOT_A_NUMBER))
    if not phonenumbers.is_valid_number(number):
        return PhoneResult(problem=INVALID)
    return PhoneResult(e164=phonenumbers.format_number(number, PhoneNumberFormat.E164))


def _holds_several_numbers(text: str, region: str | None) -> bool:
    # `0171 1234567 / 030 1234567`: which one the shopper wants texted is anyone's guess.
    matches = iter(
        PhoneNumberMatcher(text, region or "ZZ", leniency=phonenumbers.Leniency.POSSIBLE)
    )
    return next(matches, None) is not None and next(matches, None) is not None
