"""The documentation keeps up with the code: fields, metrics, generated files, scenarios."""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import shutil
import subprocess
import sys
import types
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers import REPO
from pydantic import BaseModel

from sim.metrics import MONTHLY_METRICS, OUTCOMES, SECTOR_OUTCOMES
from sim.model.records import MARKET_FIELDS
from sim.scenario.schema import Scenario

MODEL_MD = REPO / "docs" / "model.md"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "docs" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _section_model(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """The model a field holds and the path step that reaches it (``<name>``, ``<i>``)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        found = [_section_model(a) for a in typing.get_args(annotation) if a is not type(None)]
        return next((f for f in found if f is not None), None)
    if origin is dict:
        inner = _section_model(typing.get_args(annotation)[1])
        return (".<name>", inner[1]) if inner else None
    if origin is tuple:
        inner = _section_model(typing.get_args(annotation)[0])
        return (".<i>", inner[1]) if inner else None
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return ("", annotation)
    return None


def scenario_paths(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """Every field path of a scenario, walked independently of the docs generator."""
    paths = []
    for name, info in model.model_fields.items():
        path = prefix + name
        paths.append(path)
        inner = _section_model(info.annotation)
        if inner is not None:
            paths.extend(scenario_paths(inner[1], f"{path}{inner[0]}."))
    return paths


def _section(text: str, heading_contains: str) -> str:
    parts = re.split(r"^#{2,3} ", text, flags=re.MULTILINE)
    matches = [p for p in parts if heading_contains in p.splitlines()[0]]
    assert matches, f"model.md has no section whose heading mentions {heading_contains}"
    return matches[0]


def _defined_in_table(section: str, name: str) -> bool:
    return re.search(rf"^\| `{re.escape(name)}` \|", section, flags=re.MULTILINE) is not None


@pytest.fixture(scope="module")
def model_md() -> str:
    return MODEL_MD.read_text(encoding="utf-8")


def test_the_walk_reaches_nested_items() -> None:
    paths = scenario_paths()
    assert "sectors.<name>.firms" in paths
    assert "licensing.commission.pauses.<i>.end" in paths
    assert "joint_production.<i>.serves" in paths
    assert "exits.outcomes.acquired" in paths


@pytest.mark.parametrize("path", scenario_paths())
def test_every_scenario_field_is_in_model_md(model_md: str, path: str) -> None:
    assert f"`{path}`" in model_md, f"docs/model.md does not mention `{path}`"


@pytest.mark.parametrize(
    ("constant", "names"),
    [
        ("sim.metrics.OUTCOMES", OUTCOMES),
        ("sim.metrics.MONTHLY_METRICS", MONTHLY_METRICS),
        ("sim.model.records.MARKET_FIELDS", MARKET_FIELDS),
    ],
)
def test_every_metric_is_defined_in_a_table(
    model_md: str, constant: str, names: tuple[str, ...]
) -> None:
    section = _section(model_md, constant)
    missing = [name for name in names if not _defined_in_table(section, name)]
    assert not missing, f"no definition row in the {constant} section of model.md for {missing}"


def test_every_sector_outcome_is_listed_and_defined(model_md: str) -> None:
    section = _section(model_md, "sim.metrics.SECTOR_OUTCOMES")
    outcomes = _section(model_md, "sim.metrics.OUTCOMES")
    for name in SECTOR_OUTCOMES:
        assert f"`{name}`" in section
        assert _defined_in_table(outcomes, name)


def test_random_streams_are_documented(model_md: str) -> None:
    section = _section(model_md, "Random streams")
    for name in ("firm_sizes:<sector>", "orders:<market>:<sector>", "procurement",
                 "applications", "commission", "exits"):
        assert _defined_in_table(section, name), name


def test_model_md_has_an_event_flow_diagram(model_md: str) -> None:
    assert "```mermaid" in model_md


def test_scenario_reference_is_up_to_date() -> None:
    generator = _load("gen_reference")
    current = (REPO / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert current == generator.render(), "run: python docs/gen_reference.py"


def test_reference_generator_and_this_test_walk_the_same_paths() -> None:
    assert _load("gen_reference").field_paths() == scenario_paths()


def test_every_shipped_scenario_has_results_in_scenarios_md() -> None:
    text = (REPO / "docs" / "scenarios.md").read_text(encoding="utf-8")
    listed = _load("gen_scenarios").SCENARIOS
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        assert path.stem in listed, f"add {path.stem} to docs/gen_scenarios.py"
        key = re.escape(f"results:{path.stem}")
        block = re.search(rf"<!-- {key}:start -->(.*?)<!-- {key}:end -->", text, flags=re.DOTALL)
        assert block and "absorption_share" in block.group(1), f"no results for {path.stem}"


def test_readme_headline_gives_absorption_with_its_interval_and_plot() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- headline:start -->(.*?)<!-- headline:end -->", text, flags=re.DOTALL)
    assert block, "README.md lost its headline markers"
    assert re.search(r"\*\*\d+\.\d% \(\d+\.\d% – \d+\.\d%\)\*\*", block.group(1))
    assert "docs/img/headline.png" in block.group(1)
    assert (REPO / "docs" / "img" / "headline.png").stat().st_size > 0
    assert text.index("pip install -e .") < text.index("<!-- headline:start -->")


def test_readme_headline_chart_uses_the_colours_of_every_run_chart() -> None:
    from builders import make_scenario
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    from sim import simulate
    from sim.report.charts import COLOURS

    generator = _load("gen_headline")
    result = simulate(make_scenario(), replications=2, seed=1, workers=1)
    ax = generator.plot_headline(result, Figure().add_subplot())
    lines = {line.get_label(): to_hex(line.get_color()) for line in ax.get_lines()}
    assert lines["exports, mean"] == COLOURS["export"]
    assert lines["domestic procurement"] == COLOURS["domestic"]
    assert f"{result.replications} replications" in ax.get_title()


def _readme_section(heading: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert found, f"README.md has no section {heading!r}"
    return found.group(1)


@pytest.mark.slow
def test_readme_notebook_and_spreadsheet_commands_run(tmp_path: Path) -> None:
    """The section's commands as a user pastes them (but ``pip``), in a scratch folder."""
    pytest.importorskip("openpyxl")
    section = _readme_section("Notebooks and spreadsheets")
    commands = [line.strip() for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)
                for line in block.splitlines() if line.strip() and not line.startswith("pip ")]
    assert any(c.startswith("defsim export ") for c in commands)
    (tmp_path / "scenarios").mkdir()
    shutil.copy(REPO / "scenarios" / "teaching-minimal.yaml", tmp_path / "scenarios")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in commands:
        if command.startswith("defsim run "):
            command += " --workers 1"
        done = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=600, check=False)
        assert done.returncode == 0, f"{command}\n{done.stderr[-2000:]}"
    assert (tmp_path / "results" / "teaching.xlsx").is_file()
    assert (tmp_path / "results" / "teaching" / "summary.csv").is_file()
    assert (REPO / "examples" / "budget.ipynb").is_file()
