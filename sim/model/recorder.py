"""The observer of one replication: what each event adds to the month's record and trace.

Every event handler reports to one ``Recorder``: per-sector amounts into the
month they happened in, firm counts at the end of a month, and, when the
replication is traced (``defsim run --trace``), one row per firm or order touched.
Handlers call it once per event; whether anything is traced is the recorder's
business, not theirs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.model.records import STATUS_FIELDS, OrderTally, ReplicationRecord, TraceEvent

__all__ = ["Recorder"]


class Recorder:
    """Collects a replication's ``ReplicationRecord`` as its events happen."""

    def __init__(
        self,
        record: ReplicationRecord,
        month_start_days: np.ndarray,
        firm_sector: np.ndarray,
        tracing: bool,
    ) -> None:
        self.record = record
        # Every monthly series is a view of one block, so that a month's totals of many
        # series are added in one operation (``add_rows``), not one per series.
        months, sectors = len(month_start_days) - 1, len(record.sector_names)
        self._block = np.zeros((len(record.monthly), months, sectors))
        self._row = {name: i for i, name in enumerate(record.monthly)}
        self._rows_of: dict[tuple[str, ...], np.ndarray] = {}
        for name, i in self._row.items():
            self._block[i] = record.monthly[name]
            record.monthly[name] = self._block[i]
        self.tally = OrderTally.empty(
            len(month_start_days) - 1, len(record.sector_names), len(record.market_names)
        )
        """Export orders' totals, filled by the compiled order loop."""
        self.month_start_days = np.asarray(month_start_days, dtype=float)
        self.month = 0
        """The month in progress: where ``month_of`` looks first."""
        self._firm_sector = firm_sector
        if tracing:
            record.trace = []

    @property
    def tracing(self) -> bool:
        """Whether this replication keeps a trace (``--trace``: replication 0 only)."""
        return self.record.trace is not None

    def month_of(self, day: float) -> int:
        """The month ``day`` falls in (the last month for days at or past the horizon)."""
        month, starts = self.month, self.month_start_days
        if starts[month] <= day < starts[month + 1]:
            return month
        return min(int(starts.searchsorted(day, side="right")) - 1, starts.size - 2)

    def add(self, name: str, month: int, per_sector: np.ndarray | float) -> None:
        """Add ``per_sector`` amounts to monthly series ``name``."""
        self.record.monthly[name][month] += per_sector

    def add_rows(self, names: Sequence[str], month: int, rows: np.ndarray) -> None:
        """Add each row of ``rows`` (names x sectors) to the monthly series of its name."""
        self._block[self._rows(names), month] += rows

    def set_rows(self, names: Sequence[str], month: int, rows: np.ndarray) -> None:
        """Set each monthly series of ``names`` (stocks) to its row of ``rows``."""
        self._block[self._rows(names), month] = rows

    def _rows(self, names: Sequence[str]) -> np.ndarray:
        key = tuple(names)
        if key not in self._rows_of:
            self._rows_of[key] = np.array([self._row[name] for name in key])
        return self._rows_of[key]

    def add_market(self, name: str, month: int, per_market: np.ndarray) -> None:
        """Add ``per_market`` amounts to market series ``name``."""
        self.record.market_monthly[name][month] += per_market

    def set(self, name: str, month: int, per_sector: np.ndarray) -> None:
        """Set monthly series ``name`` (a stock, such as firm counts, not a flow)."""
        self.record.monthly[name][month] = per_sector

    def finish(
        self, events: int, warm_up_months: int = 0, reporting_start_day: float = 0.0
    ) -> ReplicationRecord:
        """The record, with the order totals moved in and the events counted, from the
        reporting start on: warm-up months are dropped, firm counts start from the firms
        active at the reporting start, and days count from it."""
        self.record.events = events
        self.tally.add_to(self.record)
        if warm_up_months:
            self._drop_warm_up(warm_up_months, reporting_start_day)
        return self.record

    def _drop_warm_up(self, months: int, start_day: float) -> None:
        r = self.record
        at_start = {name: r.monthly[name][months - 1].copy() for name in STATUS_FIELDS}
        r.cash_start = r.monthly["cash_usd"][months - 1].copy()
        r.monthly = {name: values[months:].copy() for name, values in r.monthly.items()}
        r.market_monthly = {name: v[months:].copy() for name, v in r.market_monthly.items()}
        r.firms_start = at_start[STATUS_FIELDS[0]]
        for name in STATUS_FIELDS[1:]:
            r.monthly[name] -= at_start[name]
        r.meeting_days = [day - start_day for day in r.meeting_days if day >= start_day]
        if r.trace is not None:
            r.trace = [event._replace(day=event.day - start_day) for event in r.trace]

    # --- the trace -------------------------------------------------------------------

    def trace(
        self,
        day: float,
        kind: str,
        *,
        sector: str = "",
        firm: int = -1,
        market: str = "",
        amount_usd: float = 0.0,
        state: str = "",
    ) -> None:
        """One row of the trace (nothing unless traced); a firm's sector is filled in."""
        if self.record.trace is None:
            return
        if not sector and firm >= 0:
            sector = self.record.sector_names[int(self._firm_sector[firm])]
        self.record.trace.append(
            TraceEvent(float(day), kind, sector, firm, market, amount_usd, state)
        )

    def trace_firms(
        self,
        day: float,
        firms: np.ndarray,
        kind: str | Sequence[str],
        state: str | Sequence[str],
        amounts_usd: np.ndarray | None = None,
    ) -> None:
        """One row per firm, in the order given; ``kind`` and ``state`` per firm or for all."""
        if self.record.trace is None:
            return
        for j, firm in enumerate(firms.tolist()):
            self.trace(
                day,
                kind if isinstance(kind, str) else kind[j],
                firm=firm,
                amount_usd=0.0 if amounts_usd is None else float(amounts_usd[j]),
                state=state if isinstance(state, str) else state[j],
            )
