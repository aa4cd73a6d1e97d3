"""House rule (docs/ARCHITECTURE and ../shared/design/architecture.md): nothing imports views.

A views module defines its blueprint and handles requests; anything two views need (signing a
person in, where they go next) lives in a module of its feature. Only the app factory, which
registers the blueprints, imports views modules."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "app" / "__init__.py"


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def _is_views(module: str, names: list[str]) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "views" or last.endswith("_views") or any(
        name == "views" or name.endswith("_views") for name in names)


def test_no_module_but_the_app_factory_imports_a_views_module():
    offenders = []
    for path in sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "jobs").rglob("*.py")]):
        if path == FACTORY:
            continue
        for module, names in _imported_modules(path):
            if module.startswith(("app", ".")) and _is_views(module, names):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []
