"""Architecture rules: the domain stays pure, engines and services stay below the adapters.

Imports are read from the source with :mod:`ast` (nothing is imported), so an import hidden in
a function body, a relative import or ``importlib.import_module("...")`` counts as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import citycarbon

PACKAGE_ROOT = Path(citycarbon.__file__).resolve().parent

DOMAIN_FORBIDDEN_LIBRARIES = {"sqlalchemy", "fastapi", "starlette", "typer", "duckdb", "polars", "pyspark"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool) -> set[str]:
    """Every module name ``source`` imports, relative imports resolved against ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            found.add(target)
            # ``from citycarbon import store`` imports the module citycarbon.store
            found.update(f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"import_module", "__import__"} and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
    return found


def modules_under(package: str) -> list[tuple[str, set[str]]]:
    folder = PACKAGE_ROOT.joinpath(*package.split(".")[1:])
    result = []
    for path in sorted(folder.rglob("*.py")):
        name = module_name(path)
        result.append((name, imported_modules(path.read_text("utf-8"), name, path.name == "__init__.py")))
    return result


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def domain_violations(imports: set[str]) -> set[str]:
    def forbidden(name: str) -> bool:
        if name.split(".")[0] in DOMAIN_FORBIDDEN_LIBRARIES:
            return True
        # the bare root package (``from citycarbon import domain``) is allowed; its modules are not
        inside = is_within(name, "citycarbon") and not is_within(name, "citycarbon.domain")
        return inside and name != "citycarbon"

    return {name for name in imports if forbidden(name)}


def layer_violations(imports: set[str], forbidden: tuple[str, ...]) -> set[str]:
    return {name for name in imports if any(is_within(name, package) for package in forbidden)}


DOMAIN = modules_under("citycarbon.domain")
ENGINES = modules_under("citycarbon.engines")
SERVICES = modules_under("citycarbon.services")


def test_the_walk_finds_the_modules() -> None:
    names = {name for name, _ in DOMAIN}
    assert {
        "citycarbon.domain",
        "citycarbon.domain.units",
        "citycarbon.domain.ledger.period",
        "citycarbon.domain.ledger.factors",
    } <= names
    assert "citycarbon.engines.accounting" in {name for name, _ in ENGINES}
    assert "citycarbon.services.accounting" in {name for name, _ in SERVICES}


@pytest.mark.parametrize(("module", "imports"), DOMAIN, ids=[name for name, _ in DOMAIN])
def test_domain_module_is_pure(module: str, imports: set[str]) -> None:
    assert domain_violations(imports) == set(), f"{module} imports outside the pure domain"


@pytest.mark.parametrize(("module", "imports"), ENGINES, ids=[name for name, _ in ENGINES])
def test_engines_do_not_import_adapters(module: str, imports: set[str]) -> None:
    forbidden = ("citycarbon.store", "citycarbon.api", "citycarbon.web", "citycarbon.cli")
    assert layer_violations(imports, forbidden) == set(), module


@pytest.mark.parametrize(("module", "imports"), SERVICES, ids=[name for name, _ in SERVICES])
def test_services_do_not_import_entry_points(module: str, imports: set[str]) -> None:
    forbidden = ("citycarbon.api", "citycarbon.web", "citycarbon.cli")
    assert layer_violations(imports, forbidden) == set(), module


# --- the checker itself must be able to fail --------------------------------------------------


@pytest.mark.parametrize(
    ("source", "offender"),
    [
        ("import polars as pl", "polars"),
        ("from sqlalchemy.orm import Session", "sqlalchemy.orm"),
        ("import fastapi", "fastapi"),
        ("from starlette.requests import Request", "starlette.requests"),
        ("import typer", "typer"),
        ("import duckdb", "duckdb"),
        ("from pyspark.sql import DataFrame", "pyspark.sql"),
        ("from citycarbon.i18n import translate", "citycarbon.i18n"),
        ("from citycarbon.refdata.loader import load_dataset", "citycarbon.refdata.loader"),
        ("from citycarbon import store", "citycarbon.store"),
        ("def f():\n    import citycarbon.engines.accounting\n", "citycarbon.engines.accounting"),
        ("from ...refdata import loader", "citycarbon.refdata"),
        ("import importlib\nimportlib.import_module('citycarbon.store.db')", "citycarbon.store.db"),
    ],
)
def test_checker_flags_forbidden_imports(source: str, offender: str) -> None:
    imports = imported_modules(source, "citycarbon.domain.ledger.period", is_package=False)
    assert offender in domain_violations(imports)


@pytest.mark.parametrize(
    "source",
    [
        "import pint",
        "from pydantic import BaseModel",
        "from citycarbon.domain.errors import UnitError",
        "from ..errors import UnitError",
        "from . import categories",
        "from citycarbon import domain",
        "import datetime as dt",
    ],
)
def test_checker_allows_the_domain_itself(source: str) -> None:
    imports = imported_modules(source, "citycarbon.domain.ledger.period", is_package=False)
    assert domain_violations(imports) == set()


def test_relative_imports_resolve() -> None:
    assert imported_modules("from ..errors import UnitError", "citycarbon.domain.ledger.period", False) == {
        "citycarbon.domain.errors",
        "citycarbon.domain.errors.UnitError",
    }
    assert "citycarbon.domain.ledger.categories" in imported_modules(
        "from . import categories", "citycarbon.domain.ledger", True
    )


def test_layer_checker_flags_adapters() -> None:
    imports = imported_modules(
        "from citycarbon.store.db import unit_of_work\nimport citycarbon.cli.app",
        "citycarbon.engines.accounting",
        False,
    )
    forbidden = ("citycarbon.store", "citycarbon.cli")
    assert layer_violations(imports, forbidden) == {
        "citycarbon.store.db",
        "citycarbon.store.db.unit_of_work",
        "citycarbon.cli.app",
    }
    assert layer_violations({"citycarbon.storefront"}, forbidden) == set()
