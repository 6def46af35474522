"""Domestic procurement: an annual budget paid out in tranches and placed with firms.

Each tranche (monthly, or every third month), plus the export levy collected
since the last one, is split across sectors by ``sector_shares`` (the levy by
``reinvestment.levy_shares`` when given) and placed with each sector's active
firms by the allocation rule, none above its free capacity over the tranche's
months. A firm's order is a delivery schedule: it is spread over the tranche's
months in proportion to what each month has free.

A tranche first takes capacity in use (not mothballed) that accepted export contracts
have not reserved; with ``mothballing``, what that cannot take goes to mothballed
capacity, which slips until its firm restarts it. Under
``licensing.priority: reserve`` that is all it takes; under ``requisition`` it then
takes reserved capacity for what is left, and the export work it displaces slips to
later months (delivered late, or still owed at the horizon). Budget no
firm can take is unspent; with ``reallocate_unspent`` it moves to the sectors
that still have room, by their shares, else it lapses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.compiled import compiled, entry
from sim.model.firms import Firms, Status
from sim.model.recorder import Recorder
from sim.scenario.schema import Procurement, Scenario

_ACTIVE = int(Status.ACTIVE)

__all__ = ["Budget", "Purchaser", "allocate"]


@dataclass(frozen=True)
class Budget:
    """When tranches are paid and how large they are."""

    spec: Procurement
    sector_names: tuple[str, ...]
    first_month: int = 0
    """The simulated month the scenario starts reporting in: budget years count from it
    (months before it are warm-up). Tranches count from the simulation's first month,
    so a warm-up is never without one."""

    @property
    def period_months(self) -> int:
        """Months one tranche pays for: 1 (monthly) or 3 (quarterly)."""
        return 1 if self.spec.tranche == "monthly" else 3

    def tranche_due(self, month: int) -> bool:
        """Whether a tranche is paid in simulated month ``month`` (periods count from month 0)."""
        return month % self.period_months == 0

    def tranche_usd(self, month: int) -> float:
        """Budget paid out at the tranche of ``month``; growth compounds per simulated year."""
        year = (month - self.first_month) // 12
        annual = self.spec.budget_usd * (1.0 + self.spec.budget_growth) ** year
        return annual * self.period_months / 12.0

    def sector_split(self, amount_usd: float) -> np.ndarray:
        """``amount_usd`` split across sectors by ``sector_shares`` (0 for a sector without one)."""
        shares = self.spec.sector_shares
        return np.array([amount_usd * shares.get(name, 0.0) for name in self.sector_names])


@dataclass
class Purchaser:
    """The state's buyer: pays tranches, places them with firms, recycles the levy."""

    budget: Budget
    allocation: str
    reserve: bool = False
    """Whether domestic tranches leave capacity reserved for exports alone."""
    levy_shares: np.ndarray | None = None
    """Split of the levy pool across sectors; None: the budget's sector shares."""
    reallocate_unspent: bool = False
    size_preference: float = 1.0
    """With ``incumbents_first``: the power of capacity in a new supplier's odds."""
    laid_up: bool = False
    """Whether firms may mothball capacity: a tranche takes capacity in use first."""
    levy_pool_usd: float = 0.0
    """Export levy collected since the last tranche; it is paid out with the next."""
    ranking: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Firms by sector and capacity, largest first, as of the last tranche."""
    _odds_of: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """The capacities ``_weight`` was computed from."""
    _weight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _slices: tuple[slice, ...] = ()
    """Each sector's firms, and the same as an array: firms keep their ids and sectors."""
    _bounds: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))

    @classmethod
    def for_scenario(cls, scenario: Scenario, firms: int) -> Purchaser:
        """The buyer of ``scenario``: its budget, allocation rule, priority and levy split."""
        spec, names = scenario.procurement, scenario.sector_names
        levy = scenario.reinvestment.levy_shares
        return cls(
            Budget(spec, names, scenario.warm_up_months),
            spec.allocation,
            reserve=scenario.licensing is not None and scenario.licensing.priority == "reserve",
            levy_shares=None if levy is None else np.array([levy.get(n, 0.0) for n in names]),
            reallocate_unspent=spec.reallocate_unspent,
            size_preference=spec.size_preference,
            laid_up=scenario.mothballing is not None,
            ranking=np.arange(firms),
        )

    def pay_tranche(
        self, firms: Firms, month: int, rng: np.random.Generator, recorder: Recorder
    ) -> None:
        """Pay the tranche of ``month`` plus the levy pool, split by sector shares, and place
        each sector's amount with its firms by the allocation rule, as delivery schedules
        over the tranche's months; what no firm can take is unspent (or, with
        ``reallocate_unspent``, placed in the sectors that still have room)."""
        sectors = self.budget.sector_names
        if self.levy_shares is None:
            amounts = self.budget.sector_split(self.budget.tranche_usd(month) + self.levy_pool_usd)
        else:
            tranche = self.budget.sector_split(self.budget.tranche_usd(month))
            amounts = tranche + self.levy_pool_usd * self.levy_shares
        self.levy_pool_usd = 0.0
        period = self.budget.period_months
        capacity = firms.active_capacity()
        if len(self._slices) != len(sectors):  # firms keep their ids: once a replication
            self._slices = tuple(firms.of_sector(s) for s in range(len(sectors)))
            self._bounds = _bounds(self._slices)
        slices = self._slices
        weight = self._odds(capacity) if self.allocation == "incumbents_first" else None
        free = tranche_room(firms, month, period, True, False)
        orders = allocate(amounts, free, self.allocation, capacity, slices, rng, self.ranking,
                          firms.domestic_orders_usd, self.size_preference,
                          weight, self._bounds)
        placed = firms.sector_sum(orders, len(sectors))
        if self.reallocate_unspent:
            orders, placed, amounts = self._reallocate(
                amounts, placed, orders, free, capacity, slices, rng, firms.domestic_orders_usd,
                weight,
            )
        schedule_domestic(firms, orders, month, period, True, False)
        firms.domestic_backlog_usd[:] += orders
        if self.laid_up and self._left_where_laid_up(firms, amounts - placed):
            # What capacity in use could not take, from mothballed capacity: it slips
            # until the firm has restarted it.
            orders, placed = self._place_left(firms, month, rng, amounts, orders, placed,
                                              capacity, slices, weight, reserve=True)
        if not self.reserve and (amounts - placed > 0.0).any():
            # Requisition: what unreserved capacity could not take, from booked capacity.
            orders, placed = self._place_left(firms, month, rng, amounts, orders, placed,
                                              capacity, slices, weight, reserve=False)
        firms.domestic_orders_usd[:] += orders
        for s, name in enumerate(sectors if recorder.tracing else ()):
            recorder.trace(
                recorder.month_start_days[month],
                "tranche",
                sector=name,
                amount_usd=placed[s],
                state="domestic_orders",
            )
        recorder.add("budget_paid_usd", month, amounts)
        recorder.add("unspent_budget_usd", month, np.maximum(amounts - placed, 0.0))

    def _odds(self, capacity: np.ndarray) -> np.ndarray:
        """A new supplier's odds, capacity ** ``size_preference``, the same for every stage
        of a tranche. Kept from the last tranche and computed again only for the firms
        whose capacity changed since (few do in a month; a power costs some 100
        instructions a firm)."""
        if self._odds_of.shape != capacity.shape:
            self._odds_of, self._weight = capacity.copy(), capacity**self.size_preference
            return self._weight
        changed = np.flatnonzero(capacity != self._odds_of)
        if changed.size:
            self._weight[changed] = capacity[changed] ** self.size_preference
            self._odds_of[changed] = capacity[changed]
        return self._weight

    def _place_left(
        self,
        firms: Firms,
        month: int,
        rng: np.random.Generator,
        amounts: np.ndarray,
        orders: np.ndarray,
        placed: np.ndarray,
        capacity: np.ndarray,
        slices: tuple[slice, ...],
        weight: np.ndarray | None,
        reserve: bool,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Place what the sectors have left on the room that counts mothballed capacity
        (and, unless ``reserve``, capacity booked for exports), by the same rule; returns
        the orders and what each sector placed, updated. ``capacity``, ``slices`` and
        ``weight`` are the tranche's (active capacity; each sector's firms; a new
        supplier's odds)."""
        period, sectors = self.budget.period_months, len(self.budget.sector_names)
        left = np.maximum(amounts - placed, 0.0)
        room = tranche_room(firms, month, period, reserve, True)
        more = allocate(left, room, self.allocation, capacity, slices, rng,
                        self.ranking, firms.domestic_orders_usd, self.size_preference,
                        weight, self._bounds)
        schedule_domestic(firms, more, month, period, reserve, True)
        firms.domestic_backlog_usd[:] += more
        return orders + more, placed + firms.sector_sum(more, sectors)

    def _left_where_laid_up(self, firms: Firms, left: np.ndarray) -> bool:
        """Whether a sector with budget left over has mothballed capacity to take it."""
        sectors = len(self.budget.sector_names)
        laid_up = firms.sector_sum(firms.mothballed_usd + firms.restarting_usd, sectors)
        return bool(((left > 0.0) & (laid_up > 0.0)).any())

    def _reallocate(
        self,
        amounts: np.ndarray,
        placed: np.ndarray,
        orders: np.ndarray,
        free: np.ndarray,
        capacity: np.ndarray,
        slices: tuple[slice, ...],
        rng: np.random.Generator,
        supplied: np.ndarray,
        weight: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Move what sectors could not place to the sectors with room left, by their budget
        shares, until it is placed or no sector with a share has room.

        Returns the orders, what each sector placed, and what each sector was given in
        the end (its amount less what it passed on, plus what it received).
        """
        shares = self.budget.sector_split(1.0)
        given = amounts.copy()
        for _ in range(shares.size):
            unspent = np.maximum(given - placed, 0.0)
            room = free - orders
            sector_room = np.array([room[where].sum() for where in slices])
            taking = np.where(sector_room > 0.0, shares, 0.0)
            if unspent.sum() <= 0.0 or taking.sum() <= 0.0:
                break
            extra = unspent.sum() * taking / taking.sum()
            given = given - unspent + extra
            more = allocate(extra, room, self.allocation, capacity, slices, rng, self.ranking,
                            supplied, self.size_preference, weight, self._bounds)
            orders = orders + more
            placed = placed + np.array([more[where].sum() for where in slices])
        return orders, placed, given

    def estimate_first_idle_share(self, firms: Firms) -> None:
        """Before any month has passed, a firm's idle share is what the first tranche
        left free of its capacity."""
        planned = firms.monthly_capacity_usd * self.budget.period_months
        claimed = np.divide(
            firms.domestic_backlog_usd, planned, out=np.ones_like(planned), where=planned > 0
        )
        firms.idle_share[:] = 1.0 - np.minimum(claimed, 1.0)


def tranche_room(
    firms: Firms, month: int, period: int, reserve: bool, laid_up: bool
) -> np.ndarray:
    """What each active firm has free for a tranche's months: per month, capacity (less
    what is mothballed or restarting, unless ``laid_up``) less domestic plans, and
    less export plans when exports are reserved."""
    free = np.empty(firms.size)  # every entry is written
    _tranche_room(firms, month, period, reserve, laid_up, free)
    return free


@compiled
def _month_room(
    capacity: float,
    laid_up_usd: float,
    restarting_usd: float,
    domestic_usd: float,
    export_usd: float,
    reserve: bool,
    laid_up: bool,
) -> float:
    """What one month of a firm has free for a tranche: its capacity (0 unless active),
    less what is mothballed or restarting (unless ``laid_up``), less the month's
    domestic plan, and less its export plan when exports are reserved. It takes the
    firm's numbers, not ``Firms`` (see ``sim.compiled``): callers name them."""
    c = capacity
    if not laid_up:
        c = c - laid_up_usd - restarting_usd
    room = c - domestic_usd
    if reserve:
        room -= export_usd
    return room if room > 0.0 else 0.0


@entry
def _tranche_room(
    firms: Firms, month: int, period: int, reserve: bool, laid_up: bool, free: np.ndarray
) -> None:
    for f in range(free.size):
        c = firms.monthly_capacity_usd[f] if firms.status[f] == _ACTIVE else 0.0
        total = 0.0
        for m in range(month, month + period):
            total += _month_room(capacity=c, laid_up_usd=firms.mothballed_usd[f],
                                 restarting_usd=firms.restarting_usd[f],
                                 domestic_usd=firms.domestic_plan_usd[f, m],
                                 export_usd=firms.export_plan_usd[f, m], reserve=reserve,
                                 laid_up=laid_up)
        free[f] = total


@entry
def schedule_domestic(
    firms: Firms, orders: np.ndarray, month: int, period: int, reserve: bool, laid_up: bool
) -> None:
    """Spread each firm's domestic order over the tranche's months, in proportion to
    what each month has free (all in the first month when the tranche is monthly)."""
    rooms = np.empty(period)
    for f in range(orders.size):
        order = orders[f]
        if order <= 0.0:
            continue
        if period == 1:
            firms.domestic_plan_usd[f, month] += order
            continue
        c = firms.monthly_capacity_usd[f] if firms.status[f] == _ACTIVE else 0.0
        total = 0.0
        for k in range(period):
            m = month + k
            rooms[k] = _month_room(capacity=c, laid_up_usd=firms.mothballed_usd[f],
                                   restarting_usd=firms.restarting_usd[f],
                                   domestic_usd=firms.domestic_plan_usd[f, m],
                                   export_usd=firms.export_plan_usd[f, m], reserve=reserve,
                                   laid_up=laid_up)
            total += rooms[k]
        if total <= 0.0:
            firms.domestic_plan_usd[f, month] += order
            continue
        for k in range(period):
            firms.domestic_plan_usd[f, month + k] += order * rooms[k] / total


def allocate(
    amounts_usd: np.ndarray,
    free_usd: np.ndarray,
    rule: str,
    capacity_usd: np.ndarray,
    slices: tuple[slice, ...],
    rng: np.random.Generator,
    ranking: np.ndarray | None = None,
    supplied_usd: np.ndarray | None = None,
    size_preference: float = 1.0,
    weight: np.ndarray | None = None,
    bounds: np.ndarray | None = None,
) -> np.ndarray:
    """Place each sector's amount with its firms, none above its free capacity.

    Firms of sector s are ``slices[s]`` (contiguous, in sector order), and the sector
    places ``amounts_usd[s]``. ``pro_rata`` gives every firm the same share of its
    free capacity; ``largest_first`` fills firms in order of capacity (ties by id);
    ``random`` in a random order, one permutation drawn per sector whose amount is
    more than 0 and less than its free capacity; ``incumbents_first`` fills the firms
    that have supplied the state before (``supplied_usd`` > 0), most supplied first, then the
    others in a random order in which a firm comes before another with odds in
    proportion to capacity ** ``size_preference`` (a weighted permutation by
    Efraimidis and Spirakis' keys u ** (1 / weight), drawn only when the amount is
    less than the free capacity): a buyer keeps its suppliers and finds large firms
    first. Returns the order per firm; a sector's orders sum
    to ``min(amounts_usd[s], free capacity of s)``.

    ``ranking``, for ``largest_first``, is the firms in the order of the last call
    (at first, any permutation that keeps sectors in their slices); it is sorted
    again in place. Capacities change little from one tranche to the next, so
    starting from the last order saves most of the sorting. ``weight`` is
    capacity ** ``size_preference`` when the caller has it already (the stages of
    one tranche share it); ``bounds``, ``slices`` as an array (see ``_bounds``).

    All sectors are placed in one compiled pass over the firm arrays, and the
    incumbents' order in another: the tranche is paid every month in up to three
    stages, and numpy calls per sector (or a dozen per stage) would cost more than
    the arithmetic. The random numbers are drawn, and their logarithms taken, by
    numpy, as before the passes were compiled: the same draws and the same keys.
    """
    bounds = _bounds(slices) if bounds is None else bounds
    total_free = _sector_totals(free_usd, bounds)
    if rule == "pro_rata":
        return _pro_rata(amounts_usd, free_usd, bounds, total_free)
    order = np.arange(free_usd.size)
    if rule == "largest_first":
        order = order if ranking is None else ranking
        _rank_by_capacity(capacity_usd, bounds, order)
    elif rule == "incumbents_first":
        assert supplied_usd is not None
        if weight is None:
            weight = capacity_usd**size_preference
        drawn = _drawn_firms(amounts_usd, total_free, bounds)
        with np.errstate(divide="ignore"):  # log(0) is -inf: that firm comes last
            log_u = np.log(rng.random(drawn))
        _incumbents_order(amounts_usd, total_free, log_u, weight, supplied_usd, free_usd, bounds,
                          order)
    else:
        for s, where in enumerate(slices):
            if 0.0 < amounts_usd[s] < total_free[s]:
                order[where] = where.start + rng.permutation(where.stop - where.start)
    return _fill_in_order(amounts_usd, free_usd, order, bounds, total_free)


def _bounds(slices: tuple[slice, ...]) -> np.ndarray:
    """(sectors, 2): each sector's first and one-past-last firm."""
    return np.array([[s.start, s.stop] for s in slices], dtype=np.int64)


@compiled
def _sector_totals(free_usd: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each sector's free capacity: a running sum in firm order, as ``np.bincount`` adds."""
    total = np.zeros(bounds.shape[0])
    for s in range(bounds.shape[0]):
        for f in range(bounds[s, 0], bounds[s, 1]):
            total[s] += free_usd[f]
    return total


@compiled
def _pro_rata(
    amounts_usd: np.ndarray, free_usd: np.ndarray, bounds: np.ndarray, total_free: np.ndarray
) -> np.ndarray:
    """Every firm of a sector gets the same share of its free capacity (all of it when
    the sector's amount is at least its free capacity)."""
    result = np.empty_like(free_usd)
    for s in range(bounds.shape[0]):
        share = amounts_usd[s] / total_free[s] if total_free[s] > 0.0 else 1.0
        for f in range(bounds[s, 0], bounds[s, 1]):
            result[f] = free_usd[f] if share >= 1.0 else free_usd[f] * share
    return result


@compiled
def _drawn(amount_usd: float, total_free: float) -> bool:
    """Whether a sector's firms are put in a random order: only when the order decides
    who gets what (some amount, and less than the sector's free capacity)."""
    return 0.0 < amount_usd < total_free


@compiled
def _drawn_firms(amounts_usd: np.ndarray, total_free: np.ndarray, bounds: np.ndarray) -> int:
    """How many firms the incumbents' order draws a key for: those of the drawn sectors."""
    count = 0
    for s in range(bounds.shape[0]):
        if _drawn(amounts_usd[s], total_free[s]):
            count += bounds[s, 1] - bounds[s, 0]
    return count


@compiled
def _incumbents_order(
    amounts_usd: np.ndarray,
    total_free: np.ndarray,
    log_u: np.ndarray,
    weight: np.ndarray,
    supplied_usd: np.ndarray,
    free_usd: np.ndarray,
    bounds: np.ndarray,
    order: np.ndarray,
) -> None:
    """Order each drawn sector in place: past suppliers, most supplied first, then the
    rest by Efraimidis-Spirakis key from the largest, ties by firm id.

    The drawn firms' keys are ``log_u`` (one uniform's logarithm each, in firm order)
    over ``weight``: log(u) / weight orders like u ** (1 / weight) without underflow,
    and a firm with no weight (exited) comes last, where it takes nothing. The order
    is that of ``np.lexsort((-key, -supplied_usd, supplied_usd <= 0.0))``, but only
    as far as it matters: firms are taken from a heap until their free capacity
    covers the sector's amount, and the rest, who get nothing whatever their order
    (``_fill_in_order``), follow in heap order (the results are those of the whole
    sort, to the bit). A tranche's later stages place
    little, and its first mostly with past suppliers, so most of a sort is saved.
    """
    j = 0
    for s in range(bounds.shape[0]):
        start, stop = bounds[s, 0], bounds[s, 1]
        if not _drawn(amounts_usd[s], total_free[s]):
            continue
        key = np.empty(stop - start)
        for f in range(start, stop):
            key[f - start] = log_u[j] / weight[f] if weight[f] > 0.0 else -np.inf
            j += 1
        heap = np.arange(start, stop)
        size = heap.size
        for top in range(size // 2 - 1, -1, -1):
            _sift_down(heap, top, size, supplied_usd, key, start)
        # Past the amount the rest get nothing, but ``_fill_in_order`` computes what is
        # left as amount - ((placed + free) - free), which rounding can leave a hair
        # above 0: heap order starts only where the sum is past the amount by more
        # than that rounding (a few ulps of the sector's free capacity).
        placed, at, past = 0.0, start, amounts_usd[s] + 1e-15 * total_free[s]
        while size > 0 and placed < past:
            firm = heap[0]
            order[at] = firm
            at += 1
            placed += free_usd[firm]  # the running sum ``_fill_in_order`` adds
            size -= 1
            heap[0] = heap[size]
            _sift_down(heap, 0, size, supplied_usd, key, start)
        order[at:stop] = heap[:size]


@compiled
def _comes_first(a: int, b: int, supplied_usd: np.ndarray, key: np.ndarray, start: int) -> bool:
    """Whether firm ``a`` comes before firm ``b``: more supplied, else the larger key,
    else the lower id (firms that never supplied have all supplied 0)."""
    if supplied_usd[a] != supplied_usd[b]:
        return bool(supplied_usd[a] > supplied_usd[b])
    if key[a - start] != key[b - start]:
        return bool(key[a - start] > key[b - start])
    return a < b


@compiled
def _sift_down(
    heap: np.ndarray, at: int, size: int, supplied_usd: np.ndarray, key: np.ndarray, start: int
) -> None:
    """Restore the heap below ``at``: each firm comes before its children."""
    while True:
        child = 2 * at + 1
        if child >= size:
            return
        if child + 1 < size and _comes_first(heap[child + 1], heap[child], supplied_usd, key,
                                             start):
            child += 1
        if not _comes_first(heap[child], heap[at], supplied_usd, key, start):
            return
        heap[at], heap[child] = heap[child], heap[at]
        at = child


@compiled
def _rank_by_capacity(capacity_usd: np.ndarray, bounds: np.ndarray, order: np.ndarray) -> None:
    """Sort ``order`` in place: by sector, then by capacity from the largest, ties by firm id.

    ``bounds[s]`` is sector s's first and one-past-last firm. From last month's
    ranking an insertion sort moves only the few firms whose rank changed; when
    that is many (the first month, a wave of exits), a merge sort takes over.
    """
    for start, stop in bounds:
        if not _insertion_sort(capacity_usd, order, start, stop, 8 * (stop - start)):
            order[start:stop] = start + np.argsort(-capacity_usd[start:stop], kind="mergesort")


@compiled
def _insertion_sort(
    capacity_usd: np.ndarray, order: np.ndarray, start: int, stop: int, moves: int
) -> bool:
    """Insertion-sort ``order[start:stop]``; False, part-sorted, if it takes over ``moves``."""
    for k in range(start + 1, stop):
        firm = order[k]
        capacity = capacity_usd[firm]
        at = k
        while at > start:
            other = order[at - 1]
            if capacity_usd[other] > capacity or (capacity_usd[other] == capacity and other < firm):
                break
            order[at] = other
            at -= 1
            moves -= 1
        order[at] = firm
        if moves < 0:
            return False
    return True


@compiled
def _fill_in_order(
    amounts_usd: np.ndarray,
    free_usd: np.ndarray,
    order: np.ndarray,
    bounds: np.ndarray,
    total_free: np.ndarray,
) -> np.ndarray:
    """Fill firms in ``order`` (sector blocks kept) until each sector's amount is placed."""
    result = np.empty_like(free_usd)
    for s in range(bounds.shape[0]):
        placed = 0.0
        for k in range(bounds[s, 0], bounds[s, 1]):
            firm = order[k]
            free = free_usd[firm]
            placed += free  # a running sum, as np.cumsum adds
            if amounts_usd[s] >= total_free[s]:
                # A sector with no more free capacity than its amount fills every firm
                # exactly, whatever the rounding of the running sums.
                result[firm] = free
            else:
                left = amounts_usd[s] - (placed - free)
                taken = left if left > 0.0 else 0.0  # np.maximum(left, 0.0), then np.minimum
                result[firm] = taken if taken < free else free
    return result
