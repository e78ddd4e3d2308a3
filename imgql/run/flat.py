"""An image as one flat mapping of strings: what tools that only pass strings can hold.

Terraform's ``external`` data source takes an object whose values are all
strings, and an Ansible lookup is easiest to use with a plain value. Every
image gives the same keys (:data:`FLAT_FIELDS`), each a string, whatever the
image holds:

- a missing or null value is the empty string (``size`` of an image with no
  data, ``checksum`` of a queued image);
- numbers are decimal text (``size``, ``min_ram`` in MiB, ``min_disk`` in GiB,
  as the API gives them); booleans are ``true`` or ``false``;
- ``tags`` is a JSON array (``jsondecode`` in Terraform reads it back), since
  a tag may hold any character a separator could be;
- ``region`` and ``cloud`` are where the image was listed (empty when unknown);
- every custom property is ``property.NAME``; a value that is not a string
  (possible in an offline catalog) is its JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .image import Image

__all__ = ["FLAT_FIELDS", "PROPERTY_KEY", "flat", "flat_value"]

# Always present, in this order.
FLAT_FIELDS = (
    "id",
    "name",
    "status",
    "visibility",
    "owner",
    "created_at",
    "updated_at",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "size",
    "virtual_size",
    "min_ram",
    "min_disk",
    "disk_format",
    "container_format",
    "protected",
    "os_hidden",
    "tags",
    "region",
    "cloud",
)

PROPERTY_KEY = "property."


def flat_value(value: Any) -> str:
    """One value as a string, by the rules above."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def flat(image: Image) -> dict[str, str]:
    """Every field of ``image`` (:data:`FLAT_FIELDS`), then its custom properties as ``property.NAME``."""
    raw: Mapping[str, Any] = image.raw
    found: dict[str, str] = {}
    for name in FLAT_FIELDS:
        if name == "region":
            found[name] = image.region or ""
        elif name == "cloud":
            found[name] = image.cloud or ""
        elif name == "tags":
            found[name] = json.dumps(list(image.tags), ensure_ascii=False)
        else:
            found[name] = flat_value(raw.get(name))
    for name, value in sorted(image.properties.items()):
        found[PROPERTY_KEY + name] = flat_value(value)
    return found
