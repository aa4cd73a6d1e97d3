"""Re-extract the messages and merge them into the Spanish catalog (issue 19).

    .venv/bin/python tools/update_catalog.py

Runs babel's extraction over app/ (babel.cfg: Python, templates, and the PWA's scripts, whose
``t("...")`` and ``N_("...")`` mark their words) and updates
app/translations/es/LC_MESSAGES/messages.po: new messages come in untranslated (and
tests/unit/test_translations.py fails until they are translated), gone ones are dropped.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "build" / "messages.pot"
PO = ROOT / "app" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
BABEL = [sys.executable, "-m", "babel.messages.frontend"]


def main() -> None:
    POT.parent.mkdir(exist_ok=True)
    extract = [*BABEL, "extract", "-F", "babel.cfg", "-k", "N_", "-k", "t", "--no-location",
               "--omit-header", "-o", str(POT), "."]
    update = [*BABEL, "update", "-i", str(POT), "-o", str(PO), "-l", "es",
              "--no-fuzzy-matching", "--ignore-obsolete", "--width", "100"]
    for command in (extract, update):
        subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 (fixed arguments)


if __name__ == "__main__":
    main()
