"""Build step: GraphiQL's assets, from npm into the package (wheels and editable installs)."""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
STATIC = HERE / "gateway" / "static"
NODE_MODULES = STATIC / "node_modules"
DIST = STATIC / "dist"
# `npm ci` wipes and refills node_modules; the lock's digest, written after a successful run,
# lets a later build reuse that folder instead of fetching everything again.
STAMP = NODE_MODULES / ".jcgraph-lock-sha256"
# Set to 1 (CI, the Docker image, release builds) to fail rather than build without GraphiQL.
REQUIRE = "JCGRAPH_REQUIRE_GRAPHIQL"


# The modules whose ASSETS map (served name -> node_modules path) says what the gateway serves.
SERVING_MODULES = ("graphiql.py", "explorer.py")


def served_files() -> list[str]:
    """The node_modules-relative paths of the ASSETS maps of gateway/graphiql.py (GraphiQL)
    and gateway/explorer.py (the access-graph explorer), read without importing the gateway
    (its dependencies are not in the build environment)."""
    files: set[str] = set()
    for module in SERVING_MODULES:
        tree = ast.parse((HERE / "gateway" / module).read_text())
        assets = [
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "ASSETS" for t in node.targets)
        ]
        if not assets:
            raise RuntimeError(f"gateway/{module} defines no ASSETS")
        files.update(ast.literal_eval(assets[0]).values())
    return sorted(files)


def package_dir(rel: str) -> str:
    """`react/umd/x.js` -> `react`; `@graphiql/plugin-explorer/dist/x.js` -> the scoped pair."""
    parts = rel.split("/")
    return "/".join(parts[:2] if parts[0].startswith("@") else parts[:1])


def lock_digest() -> str:
    return hashlib.sha256((STATIC / "package-lock.json").read_bytes()).hexdigest()


def install_node_modules() -> str | None:
    """Run `npm ci` unless node_modules already matches the lock; the reason it could not."""
    digest = lock_digest()
    if STAMP.is_file() and STAMP.read_text().strip() == digest:
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not on the PATH (Debian: apt-get install nodejs npm)"
    command = [npm, "ci", "--prefix", str(STATIC), "--prefer-offline", "--no-audit", "--no-fund"]
    print("jcgraph build:", " ".join(command), flush=True)
    if subprocess.run(command, check=False).returncode != 0:
        return "`npm ci --prefix gateway/static` failed (see its output above)"
    STAMP.write_text(digest + "\n")
    return None


def build_graphiql_assets() -> None:
    """Fill gateway/static/dist with the served files (and their packages' licences)."""
    problem = install_node_modules()
    if problem is not None:
        message = f"GraphiQL's assets are left out: {problem}."
        if os.environ.get(REQUIRE) == "1":
            raise SystemExit(f"jcgraph build: {message} ({REQUIRE}=1)")
        print(f"jcgraph build: WARNING: {message} GET /graphql will say how to add them.")
        return
    shutil.rmtree(DIST, ignore_errors=True)
    files = served_files()
    licences = {f"{package_dir(rel)}/LICENSE" for rel in files}
    for rel in [*files, *sorted(licences)]:
        source = NODE_MODULES / rel
        if not source.is_file():
            if rel in licences:
                continue
            raise SystemExit(f"jcgraph build: {source} is missing after `npm ci`")
        target = DIST / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


class BuildPyWithGraphiQL(build_py):
    """setuptools' build_py, preceded by the assets: package data globs them afterwards, and
    an editable install (which runs build_py too) serves them from the source tree."""

    def run(self) -> None:
        build_graphiql_assets()
        super().run()


setup(cmdclass={"build_py": BuildPyWithGraphiQL})
