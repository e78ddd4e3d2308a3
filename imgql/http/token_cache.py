"""Keystone tokens kept between commands, in files only their owner can read.

One file per login, named by a keyed hash (HMAC-SHA256) of everything that
identifies the login: the Keystone URL, the method, the user, project,
domain and scope fields, and the password or application-credential secret
too, so that a changed or mistyped secret never reuses a token issued for
another one. The hash key is a random value kept in the cache directory, so
a file name alone cannot be used to guess a password offline. A file holds
the token, its expiry and the service catalog that came with it; never a
password or a secret.

The directory is ``$XDG_CACHE_HOME/imgql/tokens`` (``~/.cache/imgql/tokens``),
made with mode 0700, and every file is written with mode 0600 through a
temporary file renamed into place, so a reader never sees half a file. A
file that cannot be read, or is not what this module writes, is ignored and
removed; the cache never makes a command fail.

Enabled by ``cache: {auth: true}`` in clouds.yaml (openstacksdk's switch),
``OS_AUTH_CACHE`` or ``--os-auth-cache`` (see docs/credentials.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = ["CachedToken", "TokenCache", "default_cache_dir"]

_KEY_FILE = "key"
_FORMAT = 1


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/imgql``, else ``~/.cache/imgql``."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME")
    if base and Path(base).is_absolute():
        return Path(base) / "imgql"
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".cache" / "imgql"


@attrs.frozen
class CachedToken:
    token: str = attrs.field(repr=False)
    catalog: object = attrs.field(repr=False)
    expires_at: float | None


@attrs.frozen
class TokenCache:
    """Tokens on disk under ``directory`` (``<cache dir>/tokens``)."""

    directory: Path

    @classmethod
    def default(cls, env: Mapping[str, str] | None = None) -> TokenCache:
        return cls(default_cache_dir(env) / "tokens")

    def key(self, identity: Mapping[str, Any]) -> str | None:
        """The file name for a login described by ``identity`` (secrets
        included: they are hashed with a key of this cache, never written);
        None when the directory cannot be made."""
        secret = self._hash_key()
        if secret is None:
            return None
        text = json.dumps(identity, sort_keys=True, separators=(",", ":"))
        return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()

    def load(self, key: str) -> CachedToken | None:
        path = self.directory / f"{key}.json"
        try:
            if not _private(path):
                self.drop(key)  # someone else could read it: not ours to trust
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            if path.exists():
                self.drop(key)
            return None
        if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("token"), str):
            self.drop(key)
            return None
        expires = data.get("expires_at")
        expires_at = float(expires) if isinstance(expires, (int, float)) else None
        return CachedToken(data["token"], data.get("catalog"), expires_at)

    def store(self, key: str, token: CachedToken) -> None:
        body = {"format": _FORMAT, "token": token.token, "expires_at": token.expires_at, "catalog": token.catalog}
        with contextlib.suppress(OSError, TypeError, ValueError):
            self._write(f"{key}.json", json.dumps(body).encode())

    def drop(self, key: str) -> bool:
        """Remove one login's token; whether there was one."""
        try:
            (self.directory / f"{key}.json").unlink()
        except OSError:
            return False
        return True

    def clear(self) -> int:
        """Remove every cached token; how many there were."""
        removed = 0
        with contextlib.suppress(OSError):
            for path in self.directory.glob("*.json"):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
        return removed

    # -- files -------------------------------------------------------------------

    def _hash_key(self) -> bytes | None:
        path = self.directory / _KEY_FILE
        try:
            if path.exists():
                found = path.read_bytes() if _private(path) else b""
                if len(found) >= 32:
                    return found
                path.unlink()  # damaged, or readable by others: a new key
            return self._write(_KEY_FILE, secrets.token_bytes(32), replace=False)
        except OSError:
            return None

    def _write(self, name: str, data: bytes, *, replace: bool = True) -> bytes:
        """``data`` written to ``name`` with mode 0600 (through a renamed
        temporary file); what the file holds afterwards."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")  # created 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            target = self.directory / name
            if replace:
                os.replace(temporary, target)
            else:
                # Two commands starting at once must agree on one key: the
                # first link wins, the other reads it.
                try:
                    os.link(temporary, target)
                except FileExistsError:
                    return target.read_bytes()
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return data


def _private(path: Path) -> bool:
    """Whether ``path`` is a regular file of this user that nobody else can read or write."""
    info = path.lstat()
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077
