"""A server's error answer in plain words, for Glance and Keystone alike.

Servers answer errors as JSON (``{"error": {"message": ...}}``,
``{"badRequest": {"message": ...}}``), as an HTML page, or as JSON whose
message is itself HTML: webob, under Glance and Keystone, writes
``<br /><br />`` into its texts, and its 401 explanation talks of "your
browser". What reaches a person is the message with the markup and the
boilerplate taken out; imgql's own words around it say what to do.
"""

from __future__ import annotations

import html
import http
import re

from ..untrusted import load_json, visible

__all__ = ["plain_words", "server_message", "status_phrase"]

# Server messages are shown to people; a whole HTML page is not useful.
MAX_MESSAGE = 500

# A tag starts with a letter, "/" or "!": "size<5 and size>3" is not markup.
_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
_INVISIBLE = re.compile(r"<(head|title|script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")
_MESSAGE_KEYS = ("message", "description", "detail", "title", "error")

# webob's stock explanations: they speak of browsers and documents, and add
# nothing to imgql's message that names the server and the status.
_BOILERPLATE = (
    "This server could not verify that you are authorized to access the document you requested. "
    "Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand "
    "how to supply the credentials required.",
    "Access was denied to this resource.",
    "The server could not comply with the request since it is either malformed or otherwise incorrect.",
)


def status_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def server_message(content: bytes, status: int) -> str:
    """The human text of an error answer with ``status``: a JSON error's message,
    or an HTML page's text, in plain words (may be empty)."""
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    message: str | None = None
    if text[:1] in "{[":
        try:
            message = _json_message(load_json(text))
        except ValueError:
            message = None
    message = plain_words(text if message is None else message)
    # An error page repeats the status line as a heading ("401 Unauthorized").
    heading = f"{status} {status_phrase(status)}".strip()
    if message.startswith(heading):
        message = message[len(heading) :].lstrip(" :.-")
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3].rstrip() + "..."
    # A server's text may hold terminal escapes; whoever prints the message shows them.
    return visible(message)


def plain_words(text: str) -> str:
    """``text`` without HTML markup, entities, stock boilerplate or runs of blanks."""
    if _TAG.search(text):
        # Entities are decoded only in markup: in a JSON message "&amp;" is what the server wrote.
        text = html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", text)))
    text = _SPACE.sub(" ", text).strip()
    for stock in _BOILERPLATE:
        text = text.replace(stock, " ")
    return _SPACE.sub(" ", text).strip()


def _json_message(data: object, depth: int = 0) -> str | None:
    if depth > 4:
        return None
    if isinstance(data, str):
        return data
    if isinstance(data, list):
        for item in data:
            found = _json_message(item, depth + 1)
            if found:
                return found
        return None
    if not isinstance(data, dict):
        return None
    for key in _MESSAGE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    for value in data.values():
        if isinstance(value, (dict, list)):
            found = _json_message(value, depth + 1)
            if found:
                return found
    return None
