"""The gateway's layer rules, checked by walking every module's imports.

`jumpcloud/` knows HTTP and JumpCloud, nothing of GraphQL or Starlette; `simulator/` imports
nothing else of the gateway; `types/` names kinds and relations from the model and reads
only through loaders, never the client, the planner, the access graph or the cache; only the
cache levels import aiocache.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gateway"


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_types_never_import_the_client() -> None:
    for path in modules("types"):
        bad = {m for m in imports_of(path) if m in {"gateway.jumpcloud.client", "httpx"}}
        assert not bad, f"{path.name} imports {bad}: reads must go through a loader"
        assert "JumpCloudClient" not in path.read_text(), path.name


def test_jumpcloud_knows_nothing_of_graphql_or_starlette() -> None:
    for path in modules("jumpcloud"):
        bad = {
            m for m in imports_of(path) if m.split(".")[0] in {"strawberry", "starlette", "graphql"}
        }
        bad |= {
            m
            for m in imports_of(path)
            if m.startswith("gateway.") and not m.startswith("gateway.jumpcloud")
        }
        bad.discard("gateway")
        assert not bad, f"{path.name} imports {bad}"


def test_simulator_imports_nothing_else_of_the_gateway() -> None:
    for path in modules("simulator"):
        bad = {
            m
            for m in imports_of(path)
            if m.startswith("gateway.") and not m.startswith("gateway.simulator")
        }
        assert not bad, f"{path.name} imports {bad}"


def test_the_cache_levels_are_the_only_module_that_imports_aiocache() -> None:
    users = sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if any(m.split(".")[0] == "aiocache" for m in imports_of(p))
    )
    assert users == ["cache_levels.py"]


def test_no_module_below_types_touches_the_access_graph_or_directory_directly() -> None:
    for path in modules("types"):
        text = path.read_text()
        assert "AccessGraph" not in text, path.name
        assert "Directory(" not in text, path.name


def test_types_name_the_model_never_the_client_the_planner_or_the_cache() -> None:
    below = {
        "gateway.access",
        "gateway.access_pieces",
        "gateway.index_build",
        "gateway.directory",
        "gateway.cache",
        "gateway.cache_flight",
        "gateway.cache_levels",
        "gateway.cache_store",
        "gateway.lease",
        "gateway.organisations",
        "gateway.planner",
        "gateway.loaders",
    }
    for path in modules("types"):
        bad = {m for m in imports_of(path) if m.startswith("gateway.jumpcloud") or m in below}
        assert not bad, f"{path.name} imports {bad}: name kinds and relations from gateway.model"
        assert "TYPE_CHECKING" not in path.read_text(), f"{path.name}: use strawberry.lazy"


def test_the_rest_of_the_gateway_reads_jumpcloud_through_its_package_surface_only() -> None:
    outside = [
        p
        for p in PACKAGE.rglob("*.py")
        if PACKAGE / "jumpcloud" not in p.parents and PACKAGE / "simulator" not in p.parents
    ]
    import gateway.jumpcloud as surface

    for path in outside:
        inner = {m for m in imports_of(path) if m.startswith("gateway.jumpcloud.")}
        assert not inner, f"{path.name} imports {inner}: import from gateway.jumpcloud"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "gateway.jumpcloud":
                off = {a.name for a in node.names} - set(surface.__all__)
                assert not off, f"{path.name} imports {off}, which the surface does not name"


def test_the_jumpcloud_package_surface_names_only_what_it_imports() -> None:
    import gateway.jumpcloud as surface

    missing = [name for name in surface.__all__ if not hasattr(surface, name)]
    assert not missing, missing
    assert surface.__all__ == sorted(surface.__all__)
