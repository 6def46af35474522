"""sim.rng: replication k draws from child k of the seed; named streams are independent."""

from __future__ import annotations

import numpy as np

from sim.rng import stream


def test_replication_k_uses_child_k_of_the_seed_sequence() -> None:
    import zlib

    child = np.random.SeedSequence(42).spawn(3)[2]
    keyed = np.random.SeedSequence(42, spawn_key=(2,))
    assert np.array_equal(child.generate_state(8), keyed.generate_state(8))
    named = np.random.SeedSequence(42, spawn_key=(*child.spawn_key, zlib.crc32(b"exits")))
    assert np.array_equal(stream(42, 2, "exits").random(3), np.random.default_rng(named).random(3))


def test_streams_are_independent_of_each_other() -> None:
    a = stream(1, 0, "orders:north:uav").random(1000)
    b = stream(1, 0, "orders:north:ew").random(1000)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.15
