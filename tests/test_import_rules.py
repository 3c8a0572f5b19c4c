"""The allowed import directions between the top-level packages (docs/architecture.md).

Every module's imports are read with `ast` (lazy imports inside functions included), so a
rule breaks the moment someone writes the import, whether or not the code path runs."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "flows", "webhooks", "admin")


@dataclass(frozen=True)
class Rule:
    """Modules under `source` (a dotted prefix) may not import anything under `forbidden`,
    unless the importing module is one of `exempt`."""

    source: str
    forbidden: tuple[str, ...]
    why: str
    exempt: tuple[str, ...] = ()


RULES = (
    Rule(
        "flows",
        ("bot", "webhooks", "admin", "tests"),
        "flows are pure: their own input and output types, the standard library and Babel",
    ),
    Rule(
        "bot",
        ("webhooks", "admin", "tests"),
        "the core serves the transports and the staff API, never the other way round",
        exempt=("bot.app", "bot.cli"),  # the composition root and the command line mount them
    ),
    Rule("webhooks", ("admin", "tests"), "provider transports do not depend on the staff API"),
    Rule("admin", ("webhooks", "tests"), "the staff API does not depend on provider transports"),
    Rule(
        "bot.models",
        ("bot.channels", "bot.pipeline", "bot.delivery", "bot.scheduling", "bot.services"),
        "tables know nothing of what uses them",
    ),
)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, module: str) -> set[str]:
    """Absolute names of everything `path` imports; relative imports are resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                drop = node.level - 1 if is_package else node.level
                base = base[: len(base) - drop] if drop else base
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            names.add(target)
            # `from bot import audit` imports the module bot.audit, not just the package.
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path) -> list[str]:
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(path, root)
            imports = imported_modules(path, module)
            for rule in RULES:
                if not within(module, rule.source) or module in rule.exempt:
                    continue
                for name in sorted(imports):
                    hit = next((f for f in rule.forbidden if within(name, f)), None)
                    if hit:
                        found.append(f"{module} imports {name}: {rule.why}")
    return found


def test_every_module_keeps_the_import_rules() -> None:
    assert violations(ROOT) == []


def test_the_rules_see_every_package() -> None:
    # A rule over an empty tree would pass for the wrong reason.
    for package in PACKAGES:
        assert len(list((ROOT / package).rglob("*.py"))) > 1, package


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for package in PACKAGES:
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    for relative, source in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return tmp_path


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        (
            "flows/leaky.py",
            "from bot.core.db import make_engine\n",
            "flows.leaky imports bot.core.db",
        ),
        ("flows/lazy.py", "def f():\n    import bot.models\n", "flows.lazy imports bot.models"),
        (
            "bot/pipeline/leaky.py",
            "from admin.lookup import person_in_scope\n",
            "bot.pipeline.leaky imports admin.lookup",
        ),
        ("webhooks/leaky.py", "from admin import deps\n", "webhooks.leaky imports admin.deps"),
        ("admin/leaky.py", "import webhooks.twilio\n", "admin.leaky imports webhooks.twilio"),
        (
            "bot/models/leaky.py",
            "from ..delivery.outbox import Dispatcher\n",
            "bot.models.leaky imports bot.delivery.outbox",
        ),
    ],
)
def test_a_forbidden_import_in_a_synthetic_module_is_reported(
    tmp_path: Path, relative: str, source: str, expected: str
) -> None:
    found = violations(_tree(tmp_path, {relative: source}))
    assert any(line.startswith(expected) for line in found), found


def test_the_composition_root_may_mount_the_transports(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "bot/app.py": "from admin.api import router\nfrom webhooks.twilio import router\n",
            "webhooks/ok.py": "from bot.core.deps import RuntimeDep\n",
            "admin/ok.py": "from flows.types import FlowResult\n",
        },
    )
    assert violations(root) == []
