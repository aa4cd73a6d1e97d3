"""Prepare the instance folder: ``python -m app.bootstrap``.

Creates ``instance/`` and a random ``instance/secret_key`` (mode 0600) when they are missing.
Run by ``make run``; deployments set SECRET_KEY in the environment instead.
"""

import os
import secrets
import sys
from pathlib import Path

from app.config import DEFAULT_INSTANCE_PATH


def ensure_instance(path=DEFAULT_INSTANCE_PATH) -> None:
    path.mkdir(parents=True, exist_ok=True)
    key_file = path / "secret_key"
    if not key_file.exists() and not os.environ.get("SECRET_KEY"):
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        print(f"created {key_file}", file=sys.stderr)


if __name__ == "__main__":
    ensure_instance(Path(os.environ.get("AFTERCARE_INSTANCE_PATH") or DEFAULT_INSTANCE_PATH))
