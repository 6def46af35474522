"""Every command of docs/explore.md really runs: explore, discover, policies.

The commands run as written, in a scratch folder, on the shrunken 2026 scenario (its
uncertainties included), with 8 futures, 2 replications and one worker; each
``discover`` threshold is replaced by the median of its metric in the shrunken
experiment, so that both sides of it hold futures whatever the shrunken model gives.
"""

from __future__ import annotations

import csv
import re
import statistics
from pathlib import Path

import pytest
from helpers import REPO, bash_commands, run_commands, write_shrunken_2026

GUIDE = REPO / "docs" / "explore.md"


def _commands() -> list[str]:
    return bash_commands(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_walks_through_explore_discover_and_policies() -> None:
    text = " ".join(_commands())
    assert "defsim explore scenarios/ukraine-2026-controlled-export.yaml" in text
    assert text.count("--policy ") >= 3
    assert "defsim discover" in text and "--below" in text and "--above" in text


def _shrunk(command: str, cwd: Path) -> str:
    if command.startswith("defsim explore"):
        command = re.sub(r"--samples \d+", "--samples 8", command)
        return re.sub(r"-n \d+", "-n 2", command) + " --workers 1"
    if command.startswith("defsim discover"):
        folder = command.split()[2]
        metric = re.search(r"--metric (\S+)", command)
        policy = re.search(r"--policy (\S+)", command)
        assert metric is not None
        with (cwd / folder / "experiments.csv").open(encoding="utf-8") as file:
            rows = [r for r in csv.DictReader(file)
                    if r["policy"] == (policy.group(1) if policy else "base")]
        values = sorted({float(r[f"{metric.group(1)}_mean"]) for r in rows})
        assert len(values) > 1, f"{metric.group(1)} is the same in every shrunken future"
        middle = statistics.median(values)
        return re.sub(r"--(below|above) \S+", rf"--\1 {middle!r}", command)
    return command


@pytest.mark.slow
def test_every_command_of_the_guide_runs(tmp_path: Path) -> None:
    write_shrunken_2026(tmp_path)
    for command in _commands():
        run_commands([_shrunk(command, tmp_path)], tmp_path)
    experiment = tmp_path / "results" / "guide" / "explore"
    assert (experiment / "discovery.json").is_file()
    assert (experiment / "report.html").is_file()
    assert (tmp_path / "results" / "guide" / "exits" / "discovery.json").is_file()
