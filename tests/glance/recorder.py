"""A WSGI wrapper that writes one JSON line per request: which address was asked, for what, with what answer.

This file runs inside a server's own virtualenv (Glance's or Keystone's), not
imgql's: it is copied next to the server's configuration and imported by
waitress as ``imgql_recorder:application``, so it may use the standard
library only. ``IMGQL_RECORDED_APP`` names the real application
(``module:attribute``) and ``IMGQL_RECORD_FILE`` the file to append to.

The ``Host`` header is what is recorded: a client sends the host of the URL it
chose from the catalog, and every catalog endpoint has its own address.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

_target_module, _, _target_name = os.environ["IMGQL_RECORDED_APP"].partition(":")
_app: Callable[..., Iterable[bytes]] = getattr(importlib.import_module(_target_module), _target_name)
_record_file = os.environ["IMGQL_RECORD_FILE"]
_lock = threading.Lock()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    entry: dict[str, object] = {
        "host": environ.get("HTTP_HOST", ""),
        "method": environ.get("REQUEST_METHOD", ""),
        "path": environ.get("PATH_INFO", ""),
        "query": environ.get("QUERY_STRING", ""),
    }

    def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        entry["status"] = int(status.split(" ", 1)[0])
        with _lock, open(_record_file, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
        return start_response(status, headers, exc_info)

    return _app(environ, recording_start_response)
