"""Same seed, same bytes; another seed, other numbers; workers never change a number (case i)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import simulate
from sim.scenario.schema import Scenario

FILES = ("summary.json", "replications.csv", "monthly.csv")


def _save(scenario: Scenario, folder: Path, **kwargs: object) -> dict[str, bytes]:
    result = simulate(scenario, **kwargs)  # type: ignore[arg-type]
    result.save(folder, plots=False)
    return {name: (folder / name).read_bytes() for name in FILES}


def test_same_seed_gives_identical_files_in_this_process_and_in_a_pool(
    tiny: Scenario, tmp_path: Path
) -> None:
    import os

    from sim.run.replication import ReplicationOutput

    first = _save(tiny, tmp_path / "a", replications=6, seed=3, workers=1)
    second = _save(tiny, tmp_path / "b", replications=6, seed=3, workers=1)
    seen: list[ReplicationOutput] = []
    pooled = _save(tiny, tmp_path / "c", replications=6, seed=3, workers=2,
                   on_replication=seen.append)
    assert first == second == pooled
    assert [o.index for o in seen] == list(range(6)), "released in replication order"
    assert os.getpid() not in {o.worker_pid for o in seen}, "the pool really ran"


def test_another_seed_gives_other_numbers(tiny: Scenario, tmp_path: Path) -> None:
    first = _save(tiny, tmp_path / "a", replications=4, seed=3, workers=1)
    other = _save(tiny, tmp_path / "b", replications=4, seed=4, workers=1)
    for name in FILES:
        assert first[name] != other[name]


@pytest.mark.parametrize("budget_usd", [0.3e9, 1.2e9, 5e9])
def test_common_random_numbers_keep_every_firm_and_order_when_the_budget_changes(
    budget_usd: float,
) -> None:
    """Under one seed, a policy change must not move the draws of what it does not set:
    each firm's size and every export order (day and size) are the same, bit for bit,
    whatever the budget. (Firm counts or sector totals would not see a size stream that
    depended on the budget: the sizes are rescaled to the sector's capacity.)"""
    from builders import make_scenario

    from sim.model import IndustryModel
    from sim.model.export_orders import draw_orders

    def draws(budget: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sc = make_scenario(**{"procurement.budget_usd": budget})
        model = IndustryModel(sc, 3, seed=5)
        orders = draw_orders(
            model.markets, sc.sector_names, model.book, model.streams, model.month_start[-1]
        )
        return model.firms.monthly_capacity_usd, orders.days, orders.sizes_usd

    base, other = draws(0.6e9), draws(budget_usd)
    assert base[1].size > 0, "no orders drawn: the test would prove nothing"
    for mine, theirs in zip(base, other, strict=True):
        assert np.array_equal(mine, theirs)


