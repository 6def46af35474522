"""Every bad ``uncertainties:`` entry is one line ``FILE:LINE: uncertainties.PATH: message``,
exit 2, and nothing written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from builders import make_scenario, write_scenario
from helpers import defsim

from sim.errors import ScenarioError
from sim.scenario.io import scenario_from_text

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("licensing.export_cap_shar", {"uniform": [0.3, 1.0]},
     "unknown field 'export_cap_shar' (did you mean 'export_cap_share'?)"),
    ("licensing.export_cap_share.x", {"uniform": [0.3, 1.0]}, "is a value, not a section"),
    ("procurement.allocation", {"uniform": [0.1, 0.5]},
     "uniform needs a number field; this one is one of 'pro_rata', 'largest_first', 'random'"),
    ("sectors.uav.exportable", {"uniform": [0.0, 1.0]}, "uniform needs a number field"),
    ("licensing.export_cap_share", {"uniform": [0.8, 0.3]}, "expected low <= high"),
    ("licensing.export_cap_share", {"triangular": [0.2, 0.9, 0.5]},
     "expected low <= mode <= high"),
    ("procurement.allocation", {"choice": ["random", "fastest"]},
     "choice 'fastest' is not one of 'pro_rata', 'largest_first', 'random'"),
    ("sectors.uav.firms", {"choice": [10, "many"]}, "choice 'many' is not a number"),
    ("licensing.export_cap_share", {"uniform": [0.3, 1.5]},
     "1.5 is outside the field's bounds: Input should be less than or equal to 1"),
    ("sectors.uav.margin", {"loguniform": [0.05, 1.0]}, "1.0 is outside the field's bounds"),
    ("licensing.export_cap_share", {"loguniform": [0.0, 1.0]}, "low must be > 0"),
    ("procurement.sector_shares.uav", {"uniform": [0.4, 0.6]},
     "would make the scenario invalid at procurement.sector_shares: shares must sum to 1"),
    ("markets.north.demand_usd.electronic_warfare", {"uniform": [1e8, 2e8]},
     "the scenario has no 'markets.north.demand_usd.electronic_warfare' to vary"),
    ("credit.annual_rate", {"uniform": [0.1, 0.2]}, "the scenario has no 'credit' to vary"),
    ("licensing.commission", {"choice": [1, 2]}, "names a section, not a value"),
    ("seed", {"choice": [1, 2]}, "it is not an assumption"),
    ("licensing.export_cap_share", {"uniform": [0.3, 1.0], "choice": [0.5]},
     "give exactly one of uniform, loguniform, triangular, choice (got uniform, choice)"),
    ("licensing.export_cap_share", {"source": "no distribution"}, "(got none)"),
    ("licensing.export_cap_share", {"normal": [0.5, 0.1]}, "unknown key (did you mean"),
    ("licensing.export_cap_share", {"uniform": [True, 1.0]}, "expected a number, got true"),
    ("licensing.export_cap_share", {"uniform": [0.3]}, "uniform"),
]


def _entry_line(path: Path, key: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    section = lines.index("uncertainties:")
    return next(i for i, line in enumerate(lines, start=1)
                if i > section and line.strip().startswith(f"{key}:"))


@pytest.mark.parametrize(("key", "entry", "message"), BAD, ids=[f"{b[0]}-{i}" for i, b in
                                                                 enumerate(BAD)])
def test_a_bad_entry_exits_2_with_its_line_and_writes_nothing(
    workdir: Path, key: str, entry: dict[str, Any], message: str
) -> None:
    scenario = write_scenario(workdir, "bad.yaml", uncertainties={key: entry})
    out = workdir / "experiment"
    done = defsim("explore", scenario, "--samples", 2, "-n", 1, "--workers", 1, "--out", out)
    assert done.code == 2, done.err
    assert len(done.err.strip().splitlines()) == 1, done.err
    found = re.match(rf"^{re.escape(str(scenario))}:(\d+): uncertainties\.{re.escape(key)}\S*: ",
                     done.err)
    assert found, done.err
    assert 0 <= int(found.group(1)) - _entry_line(scenario, key) <= 3, done.err
    assert message in done.err
    assert not out.exists() and not (workdir / "results").exists()
    assert defsim("run", scenario, "-n", 1, "--workers", 1).code == 2
    assert sorted(p.name for p in workdir.iterdir()) == ["bad.yaml"]


def test_good_entries_load_and_keep_the_base_values() -> None:
    sc = make_scenario(uncertainties={
        "licensing.export_cap_share": {"uniform": [0.3, 1.0], "source": "assumption"},
        "procurement.allocation": {"choice": ["random", "pro_rata"]},
        "markets.north.demand_usd.uav": {"triangular": [0.2e9, 0.4e9, 0.8e9]},
        "licensing.commission.decisions_per_meeting": {"loguniform": [5, 100]},
        "sectors.uav.exportable": {"choice": [True, False]},
    })
    assert sc.licensing is not None and sc.licensing.export_cap_share == 0.5
    assert sc.uncertainties["procurement.allocation"].kind == "choice"
    assert sc.uncertainties["licensing.export_cap_share"].source == "assumption"


def test_several_bad_entries_are_reported_together(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, "bad.yaml", uncertainties={
        "licensing.export_cap_shar": {"uniform": [0.3, 1.0]},
        "procurement.allocation": {"choice": ["fastest"]},
    })
    with pytest.raises(ScenarioError) as caught:
        scenario_from_text(scenario.read_text(encoding="utf-8"), "bad.yaml")
    assert len(caught.value.problems) == 2
