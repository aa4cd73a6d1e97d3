"""The patient app's scripts, one per concern (app/pwa/assets.py): every page loads each of
them, in order, from this server (no CDN); the service worker precaches exactly these
versioned URLs; and no script in app/static/pwa is left out of the list."""

import re
from pathlib import Path

from app.pwa.assets import SCRIPTS, SHELL

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


def test_every_script_in_the_folder_is_listed_once():
    on_disk = {f"pwa/{p.name}" for p in (STATIC / "pwa").glob("*.js")}
    assert set(SCRIPTS) == on_disk and len(SCRIPTS) == len(on_disk)
    assert SCRIPTS[0] == "pwa/outbox.js" and SCRIPTS[1] == "pwa/core.js"
    assert SCRIPTS[-1] == "pwa/app.js"  # it locks the forms no earlier script handled
    assert set(SCRIPTS) <= set(SHELL)


def test_pages_load_each_script_in_order_from_this_server(client):
    html = client.get("/login").get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)" defer></script>', html)
    assert [s.split("?")[0] for s in sources] == [f"/static/{name}" for name in SCRIPTS]
    assert all("?v=" in s for s in sources)
    for source in sources:
        response = client.get(source)
        assert response.status_code == 200 and response.mimetype.endswith("javascript")


def test_the_service_worker_precaches_the_same_versioned_scripts(client):
    page = client.get("/login").get_data(as_text=True)
    worker = client.get("/sw.js").get_data(as_text=True)
    for source in re.findall(r'<script src="([^"]+)" defer></script>', page):
        assert f'"{source}"' in worker, source


def test_the_offline_page_loads_the_same_scripts(client):
    html = client.get("/offline").get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)" defer></script>', html)
    assert [s.split("?")[0] for s in sources] == [f"/static/{name}" for name in SCRIPTS]
