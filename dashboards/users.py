"""The users file (``WORKPHONE_HOME/config/users.yaml`` unless ``WORKPHONE_DASHBOARD_USERS``
names another): one entry per user with role, agency (agency users only) and an argon2id hash
of the password. Clear passwords are never stored; ``init_users`` prints them once.

```yaml
users:
  - username: compliance
    role: compliance
    password_hash: $argon2id$v=19$m=65536,t=3,p=4$...
  - username: agency-AG01
    role: agency
    agency_id: AG01
    password_hash: $argon2id$...
```
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboards.access import INTERNAL_ROLES, Viewer

_HASHER = PasswordHasher()
# Verified when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class UsersFileError(ValueError):
    """The users file cannot be used; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class User:
    viewer: Viewer
    password_hash: str


def load_users(path: Path) -> dict[str, User]:
    """Every user of the file by name, validated."""
    if not path.exists():
        raise UsersFileError(f"no users file at {path}: create one with "
                             "`workphone dashboard users --init`")
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as error:
        raise UsersFileError(f"{path}: not valid YAML ({error})") from error
    entries = data.get("users") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UsersFileError(f"{path}: expected a top-level 'users:' list")
    users: dict[str, User] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: user {number}"
        if not isinstance(entry, dict) or not {"username", "role", "password_hash"} <= set(entry):
            raise UsersFileError(f"{where}: needs username, role and password_hash")
        if not str(entry["password_hash"]).startswith("$argon2"):
            raise UsersFileError(f"{where} ({entry['username']}): password_hash must be an "
                                 "argon2 hash, never a clear password")
        try:
            viewer = Viewer(str(entry["username"]), str(entry["role"]),
                            entry.get("agency_id") and str(entry["agency_id"]))
        except ValueError as error:
            raise UsersFileError(f"{where}: {error}") from error
        if viewer.username in users:
            raise UsersFileError(f"{where}: user name {viewer.username!r} appears twice")
        users[viewer.username] = User(viewer, str(entry["password_hash"]))
    return users


def authenticate(users: dict[str, User], username: str, password: str) -> Viewer | None:
    """The viewer when the password matches its hash, else None."""
    user = users.get(username)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user.viewer if user else None


def init_users(path: Path, agency_ids: list[str]) -> list[tuple[Viewer, str]]:
    """Write a users file with one user per internal role and one per agency, each with a new
    random password; return (viewer, clear password) pairs to be shown once."""
    viewers = [Viewer(role, role) for role in INTERNAL_ROLES]
    viewers += [Viewer(f"agency-{agency}", "agency", agency) for agency in agency_ids]
    users = [(viewer, secrets.token_urlsafe(12)) for viewer in viewers]
    _write(path, [(viewer, _HASHER.hash(password)) for viewer, password in users])
    return users


def add_user(path: Path, viewer: Viewer, password: str) -> None:
    """Add a user to the file (created when missing), or replace the one of that name."""
    if len(password) < 10:
        raise UsersFileError("a password needs at least 10 characters")
    existing = load_users(path) if path.exists() else {}
    kept = [(u.viewer, u.password_hash) for name, u in existing.items()
            if name != viewer.username]
    _write(path, [*kept, (viewer, _HASHER.hash(password))])


def _write(path: Path, users: list[tuple[Viewer, str]]) -> None:
    """(viewer, hash) pairs as the users file, readable by its owner only, replaced whole."""
    entries = [{"username": v.username, "role": v.role,
                **({"agency_id": v.agency_id} if v.agency_id else {}), "password_hash": h}
               for v, h in users]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"users": entries}, handle, allow_unicode=True, sort_keys=False)
    os.replace(partial, path)
