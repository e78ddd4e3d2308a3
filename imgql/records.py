"""What an image record is between the layers: one decoded JSON object of the
Images API's ``GET /v2/images`` answer (or of an offline catalog), as given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Record"]

# Kept as the API sent it: the run layer reads fields through the field
# catalog, so nothing here is typed beyond "a JSON object".
Record = Mapping[str, Any]
