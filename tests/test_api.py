"""The Python API writes what ``defsim run`` writes: the same run folder, manifest included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import make_scenario, write_scenario
from helpers import defsim

from sim import InputError, load_scenario, read_run, simulate

DATA_FILES = ("scenario.yaml", "summary.json", "replications.csv", "monthly.csv", "trace.csv",
              "monthly_replications.csv")


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_run_saved_from_the_api_equals_the_cli_run_folder(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path)
    cli, api = tmp_path / "cli", tmp_path / "api"
    ran = defsim("run", scenario, "-n", "3", "--seed", "5", "--workers", "1", "--trace",
                 "--keep-monthly", "--quiet", "--out", cli)
    assert ran.code == 0, ran.err
    result = simulate(load_scenario(scenario), replications=3, seed=5, workers=1, trace=True,
                      keep_monthly=True)
    assert result.save(api) == api
    assert _files(api) == _files(cli)
    assert set(DATA_FILES) <= set(_files(api))
    for name in DATA_FILES:
        assert (api / name).read_bytes() == (cli / name).read_bytes(), name
    from_cli = json.loads((cli / "manifest.json").read_text(encoding="utf-8"))
    from_api = json.loads((api / "manifest.json").read_text(encoding="utf-8"))
    assert list(from_api) == list(from_cli)
    for key in ("started", "ended", "wall_seconds", "command", "workers"):
        assert from_api[key] is not None, key
    assert from_cli["command"].startswith("defsim run ")
    assert read_run(api).replication_count == 3


def test_keep_monthly_is_an_option_of_simulate(tmp_path: Path) -> None:
    plain = simulate(make_scenario(), replications=2, seed=1, workers=1)
    assert plain.monthly_replications is None
    kept = simulate(make_scenario(), replications=2, seed=1, workers=1, keep_monthly=True)
    assert kept.monthly_replications is not None
    lines = kept.monthly_replications.read_text(encoding="utf-8").splitlines()
    groups = len(kept.groups)
    assert lines[0].startswith("replication,month_index,group_index,capacity_usd,")
    assert len(lines) == 1 + 2 * kept.scenario.months * groups
    kept.save(tmp_path / "run", plots=False)
    assert (tmp_path / "run" / "monthly_replications.csv").read_text(encoding="utf-8") == (
        "\n".join(lines) + "\n"
    )
    assert not (tmp_path / "run" / "report.html").exists()


def test_a_result_in_a_notebook_is_short_and_has_dataframes(tmp_path: Path) -> None:
    result = simulate(make_scenario(), replications=3, seed=5, workers=1)
    text = repr(result)
    assert len(text) < 200 and "\n" not in text and "3 replications" in text
    page = result._repr_html_()
    assert len(page) < 5_000 and "exports / surplus" in page
    saved = read_run(result.save(tmp_path / "run", plots=False))
    for table in ("summary", "replications", "monthly"):
        assert result.to_pandas(table).equals(saved.to_pandas(table)), table


def test_simulate_is_quiet_in_a_script_and_shows_progress_when_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    simulate(make_scenario(), replications=2, seed=5, workers=1)
    assert capsys.readouterr().err == ""
    simulate(make_scenario(), replications=2, seed=5, workers=1, progress=True)
    assert "replications 2/2" in capsys.readouterr().err


def test_many_scenarios_through_one_pool_give_what_each_gives_alone(tmp_path: Path) -> None:
    # simulate_many overlaps scenarios in the pool; each result must still be the one
    # simulate gives for that scenario alone, outcome for outcome and month for month.
    from sim.api import simulate_many

    scenarios = [make_scenario(**{"procurement.budget_usd": b}) for b in (3e8, 6e8, 9e8)]
    together = list(simulate_many(scenarios, 5, 11, workers=2))
    for scenario, result in zip(scenarios, together, strict=True):
        alone = simulate(scenario, 5, 11, workers=1)
        assert (result.rows == alone.rows).all()
        assert (result.monthly.mean == alone.monthly.mean).all()
        assert result.scenario == scenario
        assert result.info["wall_seconds"] > 0 and result.info["started"] < result.info["ended"]
    outcomes_only = list(simulate_many(scenarios, 5, 11, workers=2, monthly=False))
    for result, full in zip(outcomes_only, together, strict=True):
        assert (result.rows == full.rows).all()
        assert result.monthly.mean.size == 0
    with pytest.raises(InputError, match="outcomes only"):
        outcomes_only[0].save(tmp_path / "run")
    assert not (tmp_path / "run").exists()
