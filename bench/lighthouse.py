"""Lighthouse's mobile scores of the patient pages, from ``make bench`` (or ``make lighthouse``).

The demo clinic is seeded into a throwaway SQLite database and served by gunicorn on loopback
as a deployment would serve it; a demo patient signs in through the sign-in form, and
Lighthouse (``bench/lighthouse/``, installed from the npm registry with ``npm ci``) loads each
patient page in Debian's Chromium with its default mobile emulation and throttling.

Prints a table of the performance, accessibility, best-practices and SEO scores, then one JSON
line. The target is 100 in every category on every page; anything lower names the failing
audits and, as the last line before the JSON, ``LIGHTHOUSE BELOW TARGET`` (exit 1).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from app.seed.demo import DEMO_PASSWORD, DOMAIN
from bench import http_load

HERE = Path(__file__).parent / "lighthouse"
ROOT = Path(__file__).parent.parent
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SIGNED_OUT = ("/login",)
SIGNED_IN = ("/", "/checkin", "/phq9", "/progress", "/history", "/account")
TARGET = 1.0


def install() -> Path:
    """Lighthouse from the lock file, once (``node_modules`` is kept between runs)."""
    binary = HERE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"],  # noqa: S607
                       cwd=HERE, check=True)
    return binary


def serve(folder: Path) -> http_load.Server:
    env = {"DATABASE_URL": f"sqlite:///{folder / 'lighthouse.db'}",
           "AFTERCARE_INSTANCE_PATH": str(folder), "SECRET_KEY": "lighthouse-bench"}
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "app"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + command, env={**os.environ, **env}, cwd=ROOT, check=True,  # noqa: S603
                       stdout=subprocess.DEVNULL)
    return http_load.start_gunicorn("app.wsgi:app", env)


def sign_in(base: str) -> str:
    """The Cookie header of a demo patient signed in through the form, as a phone would."""
    browser = requests.Session()
    form = browser.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = browser.post(f"{base}/login", timeout=30, data={
        "csrf_token": token, "email": f"patient01@{DOMAIN}", "password": DEMO_PASSWORD})
    answer.raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def score(binary: Path, url: str, cookie: str | None, folder: Path) -> dict:
    report = folder / "report.json"
    command = [str(binary), url, "--quiet", "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium},  # noqa: S603
                   check=True, timeout=300)
    result = json.loads(report.read_text())
    if result.get("runtimeError"):
        raise RuntimeError(f"Lighthouse could not load {url}: {result['runtimeError']}")
    categories = result["categories"]
    failing = sorted({ref["id"] for name in CATEGORIES for ref in categories[name]["auditRefs"]
                      if ref["weight"] and (result["audits"][ref["id"]]["score"] or 0) < 1
                      and result["audits"][ref["id"]]["scoreDisplayMode"] != "notApplicable"})
    return {"scores": {name: categories[name]["score"] for name in CATEGORIES},
            "failing": failing, "final_url": result["finalDisplayedUrl"]}


def measure() -> dict:
    binary = install()
    with tempfile.TemporaryDirectory() as folder:
        server = serve(Path(folder))
        try:
            base = f"http://127.0.0.1:{server.port}"
            cookie = sign_in(base)
            pages = [(path, None) for path in SIGNED_OUT] + [(path, cookie) for path in SIGNED_IN]
            return {path: score(binary, base + path, jar, Path(folder)) for path, jar in pages}
        finally:
            server.stop()


def report(results: dict) -> bool:
    print(f"\nLighthouse, mobile ({', '.join(CATEGORIES)}), target {TARGET * 100:.0f}")
    below = False
    for path, result in results.items():
        cells = "  ".join(f"{result['scores'][name] * 100:>5.0f}" for name in CATEGORIES)
        print(f"  {path:<12} {cells}")
        if path in SIGNED_IN and result["final_url"].rstrip("/").endswith("/login"):
            print(f"    {path} was not signed in (it opened the sign-in page)")
            below = True
        if any(value < TARGET for value in result["scores"].values()):
            print(f"    failing audits: {', '.join(result['failing'])}")
            below = True
    return below


if __name__ == "__main__":
    figures = measure()
    failed = report(figures)
    if failed:
        print("LIGHTHOUSE BELOW TARGET")
    print(json.dumps({f"lighthouse_{path.strip('/') or 'home'}": result["scores"]
                      for path, result in figures.items()}))
    sys.exit(1 if failed else 0)
