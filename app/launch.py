"""``python -m app.launch``: the web app and the jobs process together, for ``make run``.

Ctrl-C (or SIGTERM) stops both; if either one exits, the other is stopped too.
Production runs them separately: gunicorn for the web, one ``python -m jobs``.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

# The address this launcher serves on, for the app's setup links and QR codes when
# PUBLIC_BASE_URL is not set (app/config.py ``public_base_url_unless_set``).
LOCAL_URL_VARIABLE = "AFTERCARE_LOCAL_URL"


def local_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the server: a wildcard address (listening on
    every interface) is reached through the loopback address."""
    reachable = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104
    if ":" in reachable:
        reachable = f"[{reachable}]"
    return f"http://{reachable}:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    commands = {
        "web": [sys.executable, "-m", "flask", "--app", "app", "run", "--host", args.host,
                "--port", str(args.port), "--no-reload"],
        "jobs": [sys.executable, "-m", "jobs"],
    }
    environment = {**os.environ, LOCAL_URL_VARIABLE: local_url(args.host, args.port)}
    children = {name: subprocess.Popen(command, env=environment)  # noqa: S603
                for name, command in commands.items()}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} process exited ({child.returncode}); stopping the other",
                      file=sys.stderr)
                exit_code, stopping = child.returncode or 0, True
        time.sleep(0.2)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for child in children.values():
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
