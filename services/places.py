"""Vietnamese provinces since the 2025 reform: 34 provinces and cities, no districts.

Old province names (63 before the merger), typed by a shopper or found in an imported
file, map to the province they were merged into."""

import json
from functools import cache
from pathlib import Path

from models import fold

DATA = Path(__file__).with_name("vn_provinces.json")
PREFIXES = ("thanh pho ", "tp ", "tinh ")


@cache
def provinces():
    """The 34 current provinces and cities, as ``[{"name", "kind", "merged_from"}]``."""
    return json.loads(DATA.read_text(encoding="utf-8"))["provinces"]


@cache
def province_names():
    return sorted((p["name"] for p in provinces()), key=fold)


def _key(name):
    # "TP.HCM" and "Bà Rịa-Vũng Tàu" are as common as their spaced spellings.
    key = " ".join(fold(name).replace("-", " ").replace(".", " ").split())
    for prefix in PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
    aliases = {
        "hcm": "ho chi minh",
        "tp hcm": "ho chi minh",
        "sai gon": "ho chi minh",
        "ha noi city": "ha noi",
        "hue city": "hue",
        "thua thien hue": "thua thien hue",
    }
    return aliases.get(key, key)


@cache
def _index():
    index = {}
    for province in provinces():
        for old in province["merged_from"]:
            index[_key(old)] = province["name"]
        index[_key(province["name"])] = province["name"]
    return index


def current_province(name):
    """The current province for a current or old name, written any common way
    (``TP. Hồ Chí Minh``, ``Bình Dương``, ``ha noi``); None when it is not one."""
    if not name:
        return None
    return _index().get(_key(name))
