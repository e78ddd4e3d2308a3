"""No token in a log line, whoever writes it: a filter for httpx's and httpcore's loggers.

The same filter takes a password written into a URL (``https://user:pw@host``)
out of every line: httpx logs each request's URL at INFO.

imgql logs requests without headers. But with ``logging`` at DEBUG, httpcore
logs every response's headers, Keystone's ``X-Subject-Token`` (a whole token)
among them, and hpack (HTTP/2) logs the headers it encodes, ``X-Auth-Token``
among them. :func:`install_log_redaction` puts a filter on those loggers that
replaces each token value with ``{SHA256}`` and the first 16 hex digits of
its hash, as keystoneauth shows tokens: two lines with the same token still
match, and the token cannot be read back.

A filter on a logger sees only the records logged to that very logger, not
to its children, so every logger that writes headers is named here.
"""

from __future__ import annotations

import hashlib
import logging
import re

__all__ = [
    "HEADER_LOGGERS",
    "TOKEN_HEADERS",
    "TokenRedactor",
    "hashed",
    "install_log_redaction",
    "redact_tokens",
    "without_userinfo",
]

TOKEN_HEADERS = ("x-auth-token", "x-subject-token", "x-service-token", "authorization")

# The loggers of the HTTP stack under httpx that may write header values.
HEADER_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "hpack",
    "hpack.hpack",
    "hpack.table",
)

_NAMES = "|".join(re.escape(name) for name in TOKEN_HEADERS)
# A header as Python prints it: (b'X-Subject-Token', b'value'), ('x-auth-token', 'value'),
# {'X-Auth-Token': 'value'}.
_QUOTED = re.compile(rf"""(?i)(b?(['"])(?:{_NAMES})\2\s*[,:]\s*b?)(['"])(.*?)\3""")
# A header as a line of HTTP: X-Auth-Token: value
_LINE = re.compile(rf"(?im)(^|\s)((?:{_NAMES})\s*:\s*)([^\s,'\"]+(?: [^\s,'\"]+)?)")


# A URL's user name and password: scheme://user:password@host
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@'\"]*@")


def without_userinfo(text: str) -> str:
    """``text`` with the user name and password taken out of every URL in it."""
    return _USERINFO.sub(r"\1", text) if "@" in text else text


def hashed(value: str) -> str:
    """``{SHA256}`` and the first 16 hex digits of the value's hash."""
    return "{SHA256}" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:16]


def redact_tokens(text: str) -> str:
    """``text`` with the value of every token header replaced by its hash."""
    if not any(name in text.lower() for name in TOKEN_HEADERS):
        return text
    text = _QUOTED.sub(lambda m: f"{m[1]}{m[3]}{_hashed_once(m[4])}{m[3]}", text)
    return _LINE.sub(lambda m: f"{m[1]}{m[2]}{_hashed_once(m[3])}", text)


def _hashed_once(value: str) -> str:
    return value if value.startswith("{SHA256}") else hashed(value)


class TokenRedactor(logging.Filter):
    """Rewrites a record whose text shows a token header; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: leave it to logging
            return True
        cleaned = without_userinfo(redact_tokens(text))
        if cleaned != text:
            record.msg, record.args = cleaned, None
        return True


_REDACTOR = TokenRedactor()


def install_log_redaction() -> None:
    """Put the token filter on every header-writing logger, once."""
    for name in HEADER_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)
