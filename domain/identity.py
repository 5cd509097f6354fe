"""Identity documents, as a service certificate names them: checked on entry, masked when shown."""

from __future__ import annotations

import re

from domain.errors import InvalidCommand

# 居民身份证, 护照, 港澳居民来往内地通行证, 台湾居民来往大陆通行证, 外国人永久居留身份证
ID_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_permanent_residence")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_OTHER = re.compile(r"[A-Z0-9]{5,20}")


def check_identity(id_type: str, id_number: str) -> str:
    """The number, tidied (upper case, no spaces), or InvalidCommand naming what is wrong."""
    if id_type not in ID_TYPES:
        raise InvalidCommand("id_type", f"must be one of {', '.join(ID_TYPES)}")
    number = id_number.replace(" ", "").upper()
    if id_type == "resident_id":
        if not re.fullmatch(r"\d{17}[\dX]", number):
            raise InvalidCommand("id_number", "a resident identity card number has 17 digits and a check digit")
        # GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits
        if _CHECK[sum(int(d) * w for d, w in zip(number, _WEIGHTS)) % 11] != number[-1]:
            raise InvalidCommand("id_number", "the check digit does not match; please check the number")
    elif not _OTHER.fullmatch(number):
        raise InvalidCommand("id_number", "must be 5 to 20 letters and digits")
    return number


def masked(id_number: str | None) -> str:
    """Shown on screen: the first 4 and last 4 characters (e.g. 3101**********1234); what is left of a
    forgotten person ([erased]) as it is."""
    if not id_number or id_number.startswith("["):
        return id_number or ""
    if len(id_number) <= 8:
        return id_number[:2] + "*" * (len(id_number) - 2)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def masked_name(name: str) -> str:
    """For the public verification page: the family name and two stars whatever follows (李**:
    neither how long the given name is nor a character of it)."""
    if not name or name.startswith("["):
        return name
    if " " in name:  # a western or pinyin name: the first word and an initial
        first, *rest = name.split()
        return " ".join([first, rest[0][0] + "."])
    return name[0] + "**"


def masked_publicly(id_number: str | None) -> str:
    """For the public verification page, as Chinese certificates print it: the first and last
    characters only (3****************4): no region, no birth date, no gender digit."""
    if not id_number or id_number.startswith("["):
        return id_number or ""
    if len(id_number) <= 2:
        return "*" * len(id_number)
    return id_number[0] + "*" * (len(id_number) - 2) + id_number[-1]
