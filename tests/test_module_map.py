"""The package explains itself: the README's module map lists exactly the modules in the tree,
and each module is small and opens with one sentence naming its one concern."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gateway"
SIMULATOR = PACKAGE / "simulator"
MAX_LINES = 300


def modules() -> list[Path]:
    """Every module of the gateway but the simulator's (a package of its own, mapped whole)."""
    return sorted(p for p in PACKAGE.rglob("*.py") if SIMULATOR not in p.parents)


def mapped() -> list[str]:
    """The paths the README's module map names, in its order."""
    text = (ROOT / "README.md").read_text()
    start = text.index("### Module map")
    end = text.find("\n#", start + 1)
    section = text[start : end if end != -1 else None]
    return re.findall(r"^\| `(gateway/[^`]*)` \|", section, flags=re.MULTILINE)


def test_the_readme_module_map_lists_exactly_the_modules_in_the_tree() -> None:
    listed = mapped()
    assert len(listed) == len(set(listed)), "a module is listed twice"
    tree = {p.relative_to(ROOT).as_posix() for p in modules()} | {"gateway/simulator/"}
    assert not tree - set(listed), f"modules missing from the README's map: {tree - set(listed)}"
    assert not set(listed) - tree, f"the README maps modules that are gone: {set(listed) - tree}"


def test_the_module_map_is_in_tree_order() -> None:
    listed = mapped()
    assert listed == sorted(listed), "keep the README's module map sorted by path"


def test_every_module_is_at_most_300_lines() -> None:
    large = {
        p.relative_to(ROOT).as_posix(): n
        for p in modules()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not large, f"split these along their concerns: {large}"


def test_every_module_opens_with_one_sentence_naming_its_concern() -> None:
    unclear = []
    for path in modules():
        docstring = ast.get_docstring(ast.parse(path.read_text()))
        first = (docstring or "").split("\n\n")[0]
        # One sentence, on one line: the paragraph is that line, and it ends the sentence.
        if "\n" in first or not first.endswith(".") or len(first) > 100:
            unclear.append(f"{path.relative_to(ROOT).as_posix()}: {first[:60]!r}")
    assert not unclear, "\n".join(unclear)
