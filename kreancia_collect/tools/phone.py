"""Phone numbers, read and checked with phonenumbers.

>>> normalize_phone("04 78 12 34 56", "FR")
'+33478123456'
>>> is_mobile("+33612345678"), is_mobile("+33478123456")
(True, False)
>>> first_mobile(["04 78 12 34 56", "bad", "06 12 34 56 78"], "FR")
'+33612345678'
"""

import phonenumbers

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    """The number cannot be read, or is no valid number of its country."""


def normalize_phone(number, country_code=None):
    """E.164 form of ``number``, read in ``country_code`` (ISO alpha-2) when it
    has no international prefix.

    :raises PhoneError: when the number is unreadable or impossible
    """
    region = (country_code or "").upper() or None
    try:
        parsed = phonenumbers.parse(number or "", region)
    except phonenumbers.NumberParseException as error:
        raise PhoneError(str(error)) from error
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(f"{number} is not a valid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164_number):
    """True when the number can receive text messages (mobile or undetermined)."""
    return phonenumbers.number_type(phonenumbers.parse(e164_number)) in MOBILE_TYPES


def first_mobile(numbers, country_code=None):
    """E.164 form of the first of ``numbers`` that is a valid mobile number, else None."""
    for number in numbers:
        try:
            e164 = normalize_phone(number, country_code)
        except PhoneError:
            continue
        if is_mobile(e164):
            return e164
    return None
