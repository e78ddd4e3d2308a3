"""keystone.conf for a throwaway Keystone: SQLite, fernet tokens and receipts, credential keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

KEYSTONE_CONF = Template("""\
[DEFAULT]
debug = false
use_stderr = true

[database]
# A busy timeout, so the twin process and the admin calls wait instead of failing with "database is locked".
connection = sqlite:///$root/keystone.sqlite?timeout=30

[identity]
# bcrypt's fewest rounds: every user created and every password login pays
# for them, and these passwords protect nothing.
password_hash_rounds = 4

[token]
provider = fernet
expiration = $expiration

[fernet_tokens]
key_repository = $root/fernet-keys

[fernet_receipts]
key_repository = $root/fernet-receipts

[credential]
key_repository = $root/credential-keys
""")

KEY_DIRECTORIES = ("fernet-keys", "fernet-receipts", "credential-keys")
DEFAULT_EXPIRATION = 3600


@dataclass(frozen=True)
class KeystoneConfig:
    directory: Path
    conf: Path
    expiration: int


def write_config(
    directory: Path, *, expiration: int = DEFAULT_EXPIRATION, name: str = "keystone.conf"
) -> KeystoneConfig:
    """A configuration in ``directory``; several (other ``name`` and ``expiration``) may share its database and keys."""
    directory = directory.resolve()
    for sub in KEY_DIRECTORIES:
        # keystone-manage refuses key repositories that others can read.
        (directory / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    conf = directory / name
    conf.write_text(KEYSTONE_CONF.substitute(root=directory, expiration=int(expiration)))
    return KeystoneConfig(directory=directory, conf=conf, expiration=int(expiration))
