"""sim.scenario.template: `defsim new` copies the commented teaching scenario, never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO, defsim

from sim.scenario.io import load_scenario
from sim.scenario.template import template_text


def test_the_packaged_template_is_the_teaching_scenario() -> None:
    """The copy inside the package (for installed defsim) is byte for byte the shipped file."""
    assert template_text() == (REPO / "scenarios" / "teaching-minimal.yaml").read_text("utf-8")


def test_new_writes_a_valid_commented_scenario_named_after_the_file(
    workdir: Path,
) -> None:
    made = defsim("new", "my-case")
    assert made.code == 0, made.err
    path = workdir / "my-case.yaml"
    text = path.read_text(encoding="utf-8")
    assert load_scenario(path).name == "my-case"
    assert "results/my-case/" in text and "defsim run my-case.yaml" in text
    assert text.count("#") >= 40  # the comments that make it a manual came along
    assert "defsim run my-case.yaml" in made.out


def test_new_never_overwrites(workdir: Path) -> None:
    (workdir / "mine.yaml").write_text("name: mine  # my own work\n", encoding="utf-8")
    made = defsim("new", "mine")
    assert made.code == 2
    assert made.err.strip() == (
        "mine.yaml: exists; defsim new never overwrites a file, choose another name")
    assert (workdir / "mine.yaml").read_text(encoding="utf-8") == "name: mine  # my own work\n"


@pytest.mark.parametrize("name", ["../x/y", "bad name", "-dash", "sub/dir/x"])
def test_new_refuses_bad_names_and_missing_folders(workdir: Path, name: str) -> None:
    made = defsim("new", name)
    assert made.code == 2 and made.err.count("\n") == 1, made.err
    assert not list(workdir.rglob("*.yaml"))


def test_new_takes_a_path_and_an_extension(workdir: Path) -> None:
    (workdir / "scenarios").mkdir()
    assert defsim("new", "scenarios/cut.yaml").code == 0
    assert load_scenario(workdir / "scenarios" / "cut.yaml").name == "cut"
