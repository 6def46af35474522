"""Links in the README and docs/ lead somewhere in the repository.

FACTS.md, seeds/ and DESIGN.md live outside it (the project keeps them apart), so the
docs cite docs/sources.md instead; a reader of a fresh clone finds every file named.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    targets = [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]
    missing = [t for t in targets if not (page.parent / t).exists()]
    assert not missing, f"{page.name} links to files not in the repository: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_file_outside_the_repository_is_cited(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    if page.name == "sources.md":  # says what the old names in scenario comments mean
        return
    for name in ("FACTS.md", "seeds/", "DESIGN.md"):
        assert name not in text, f"{page.name} cites {name}, which is not in the repository"
