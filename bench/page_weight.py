"""Bytes of a patient page's first load: the page and every resource it pulls, compressed as
the server sends them to a browser that accepts zstd, br, gzip and deflate.

Run by ``make bench``; prints a table, then one JSON line with the figures.
"""

import json
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from app import create_app
from app.extensions import db
from tests import factories

ACCEPT = {"Accept-Encoding": "zstd, br, gzip, deflate"}
LINKS = re.compile(r'(?:href|src)="(/[^"]+)"')
BUDGET_BYTES = 60 * 1024
PAGES = ("/", "/checkin", "/progress")


def first_load(client, path: str) -> list[tuple[str, int]]:
    page = client.get(path, headers=ACCEPT)
    sizes = [(path, len(page.get_data()))]
    html = page.get_data(as_text=True)
    resources = {link for link in LINKS.findall(html)
                 if link.startswith(("/static/", "/pwa/", "/icons/", "/icon.svg", "/manifest"))}
    # app.js registers the service worker, which precaches the shell on install.
    resources |= {"/sw.js", "/offline/en", "/icons/icon-192.png"}  # an English phone's
    for url in sorted(resources):
        response = client.get(url, headers=ACCEPT)
        sizes.append((url.split("?")[0], len(response.get_data())))
    return sizes


def measure() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'b.db'}"})
        with app.app_context():
            db.create_all()
            patient = factories.patient(factories.clinic(), datetime.now(UTC))
            client = factories.sign_in(app, patient.user)
            figures = {}
            for path in PAGES:
                sizes = first_load(client, path)
                total = sum(size for _, size in sizes)
                print(f"\nfirst load of {path}")
                for url, size in sizes:
                    print(f"  {url:<40} {size:>8,} B")
                print(f"  {'total':<40} {total:>8,} B  (budget {BUDGET_BYTES:,} B)")
                figures[f"page_bytes_{path.strip('/') or 'home'}"] = total
            db.engine.dispose()
    return figures


if __name__ == "__main__":
    result = measure()
    print(json.dumps({**result, "page_budget_bytes": BUDGET_BYTES,
                      "page_within_budget": max(result.values()) <= BUDGET_BYTES}))
    sys.exit(0)
