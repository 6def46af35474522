"""The scenario: a national defence industry, its budget, its export channel.

Every section of a scenario file is a frozen pydantic model. The field docstrings
are the user documentation (``docs/scenario-reference.md`` is generated from them).
All validation lives here; the model code trusts what it is given.

Money is in US dollars (``_usd``), time in days (``_days``) or calendar months
(``_months``); annual figures say so.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Commission",
    "Credit",
    "CrossReferenceError",
    "ExitOutcomes",
    "Exits",
    "ExportCentres",
    "JointLine",
    "Licensing",
    "Market",
    "Mothballing",
    "Pause",
    "Procurement",
    "Reinvestment",
    "Renewal",
    "Scenario",
    "Sector",
]

SHARE_TOLERANCE = 1e-6
MAX_ORDERS_PER_YEAR = 100_000
"""Export orders one market may place in a year: each is an event, so more would run for hours."""
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
"""Names of sectors, markets and partners: no dots, since dotted paths address them."""

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegativeUSD = Annotated[float, Field(ge=0.0, le=1e18)]
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=80)]


class CrossReferenceError(Exception):
    """Rules that span sections failed; ``problems`` holds (location, message) pairs.

    Deliberately not a ``ValueError``: pydantic would fold it into one message
    without the precise locations that users need to find the line.
    """

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems))
        self.problems = problems


class Section(BaseModel):
    """Shared configuration: unknown keys and NaN/inf are errors, objects are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
        validate_default=True,
    )


class Sector(Section):
    """One industrial sector: a population of producer firms."""

    firms: int = Field(ge=0, le=1_000_000)
    """Number of producer firms in the sector at the start."""
    capacity_usd: NonNegativeUSD
    """Annual production capacity of the whole sector, USD at domestic prices."""
    size_sigma: float = Field(default=1.0, ge=0.0, le=5.0)
    """Dispersion (sigma of the underlying normal) of lognormal firm sizes; 0 gives equal firms."""
    margin: float = Field(ge=0.0, lt=1.0)
    """Contribution margin on sales: share of a sale's domestic value left after variable costs."""
    fixed_cost_share: float = Field(default=0.05, ge=0.0, le=1.0)
    """Monthly fixed cost as a share of the firm's monthly capacity value."""
    cash_months: float = Field(default=6.0, ge=0.0, le=1200.0)
    """Mean starting cash of the sector's firms, in months of their fixed cost."""
    cash_sigma: float = Field(default=0.0, ge=0.0, le=3.0)
    """Dispersion of starting cash across firms: each firm's months of cash are
    ``cash_months`` times a lognormal factor of mean 1 (sigma of the underlying normal);
    0 gives every firm the same."""
    exportable: bool = True
    """Whether firms of this sector may apply for export licences."""
    entry_per_year: float = Field(default=0.0, ge=0.0, le=100_000.0)
    """New firms entering the sector per year (a Poisson process, counted per month). An
    entrant's size and cash are drawn like an incumbent's: a lognormal factor of mean 1
    (``size_sigma``, ``cash_sigma``) times the sector's mean firm size at the start."""
    entry_until: dt.date | None = None
    """No firm enters from the month of this date on (default: entry runs to the horizon)."""

    @model_validator(mode="after")
    def _firms_match_capacity(self) -> Sector:
        if self.firms == 0 and self.capacity_usd > 0:
            raise ValueError("a sector with 0 firms cannot have capacity_usd > 0")
        if self.firms > 0 and self.capacity_usd == 0:
            raise ValueError("a sector with firms needs capacity_usd > 0")
        return self


class Procurement(Section):
    """Domestic procurement: the budget that buys part of the industry's output."""

    budget_usd: NonNegativeUSD
    """Annual procurement budget for the sectors in this scenario, USD."""
    budget_growth: float = Field(default=0.0, gt=-1.0, le=10.0)
    """Growth of the annual budget per simulated year (0.1 = +10% a year)."""
    sector_shares: dict[Name, Share]
    """Split of the budget across sectors; shares sum to 1."""
    tranche: Literal["monthly", "quarterly"] = "monthly"
    """How often budget is paid out: 1/12 of the annual budget monthly or 1/4 quarterly."""
    allocation: Literal["pro_rata", "largest_first", "random", "incumbents_first"] = "pro_rata"
    """How a sector's tranche is placed with firms: in proportion to free capacity,
    largest firms first, firms in random order, or past suppliers first (most
    supplied first), then the others in a random order that favours large firms."""
    size_preference: float = Field(default=1.0, ge=0.0, le=5.0)
    """With ``incumbents_first``: how strongly the buyer favours large firms when it takes
    on new suppliers; a firm's odds of coming before another go with capacity to this
    power (0: every firm alike, 1: in proportion to capacity)."""
    payment_delay_days: int = Field(default=30, ge=0, le=3650)
    """Days from the end of a month of domestic production until the firm is paid."""
    reallocate_unspent: bool = False
    """Whether budget a sector cannot place moves to the sectors that still have room (by
    their shares) instead of lapsing."""

    @field_validator("sector_shares")
    @classmethod
    def _shares_sum_to_one(cls, shares: dict[str, float]) -> dict[str, float]:
        total = sum(shares.values())
        if not shares:
            raise ValueError("at least one sector share is required")
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"shares must sum to 1 (they sum to {total:.6g})")
        return shares


class Pause(Section):
    """A window in which the export commission does not meet (both dates included)."""

    start: dt.date
    """First day without meetings."""
    end: dt.date
    """Last day without meetings; the commission meets again the next day."""

    @model_validator(mode="after")
    def _end_after_start(self) -> Pause:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Commission(Section):
    """The interdepartmental commission that decides export licence applications."""

    meeting_every_days: int = Field(ge=1, le=3650)
    """Days between meetings (a meeting after a pause restarts the rhythm)."""
    decisions_per_meeting: int = Field(ge=1, le=1_000_000)
    """Most applications decided at one meeting, first come first served."""
    pauses: tuple[Pause, ...] = ()
    """Windows without meetings, in date order, not overlapping."""

    @field_validator("pauses")
    @classmethod
    def _pauses_in_order(cls, pauses: tuple[Pause, ...]) -> tuple[Pause, ...]:
        for earlier, later in itertools.pairwise(pauses):
            if later.start <= earlier.end:
                raise ValueError(
                    f"pauses overlap or are out of order: {later.start} is not after {earlier.end}"
                )
        return pauses


class Renewal(Section):
    """How a licence is renewed before it ends."""

    lead_days: int = Field(default=60, ge=0, le=3650)
    """Days before its licence ends that a licensed firm asks to renew it."""
    approval_rate: Share = 0.95
    """Probability that a renewal is approved."""


class Licensing(Section):
    """The controlled-export mechanism: applications, commission, licences."""

    opens: dt.date
    """Date from which firms may apply for export licences."""
    commission: Commission
    """The commission that decides applications."""
    approval_rate: dict[str, Share]
    """Probability that an application is approved, by sector; key 'default' covers the rest."""
    licence_months: int = Field(default=12, ge=1, le=1200)
    """How long a licence lasts, in months (of 365.25/12 days)."""
    export_cap_share: Share = 0.5
    """Most of a licensed firm's monthly capacity that may go to exports, after domestic orders."""
    apply_when_idle_share: Share = 0.2
    """A firm applies when last month's idle share of its capacity exceeds this."""
    preparation_days: int = Field(default=60, ge=0, le=3650)
    """Days a firm needs to prepare an application before it enters the queue."""
    reapply_after_days: int = Field(default=180, ge=0, le=36500)
    """Days after a refusal before the firm may apply again."""
    renewal: Renewal | None = None
    """Renewal of licences before they end (decided ahead of new applications, and
    continuing the licence without a gap); omit it and an expired licence means a new
    application, from the back of the queue."""
    priority: Literal["reserve", "requisition"] = "reserve"
    """The state's priority over exports: under 'reserve' a domestic tranche takes only
    capacity that accepted export contracts have not reserved; under 'requisition' it may
    take that capacity too, and the export work it displaces slips (delivered late)."""


class Market(Section):
    """A foreign market that places export orders once open."""

    opens: dt.date | None = None
    """Date from which the market places orders (default: the scenario start)."""
    demand_usd: dict[Name, NonNegativeUSD]
    """Yearly export demand by sector, USD at domestic prices."""
    order_usd: float = Field(gt=0.0, le=1e15)
    """Mean size of one order (sizes are exponential), USD."""
    delivery_months: int = Field(default=6, ge=1, le=120)
    """An order must be deliverable within this many months or it is lost."""
    price_premium: float = Field(default=0.0, ge=0.0, le=10.0)
    """Export price above the domestic price (0.2 = 20% more)."""
    contract_lead_days: int = Field(default=0, ge=0, le=3650)
    """Days from a buyer's order to the start of its contract with domestic firms:
    certification and negotiation. The delivery window runs from the contract's start."""
    max_suppliers: int = Field(default=3, ge=1, le=1000)
    """Most domestic firms that share one order: a buyer contracts with few suppliers, and
    what they cannot take is lost."""


class ExportCentres(Section):
    """Export promotion centres abroad that raise demand from their opening."""

    count: int = Field(ge=0, le=1000)
    """Number of centres."""
    opens: dt.date
    """Date the centres open."""
    demand_uplift: float = Field(ge=0.0, le=10.0)
    """Relative rise of a served market's demand per centre (0.03 = +3% per centre)."""
    markets: tuple[Name, ...] | None = None
    """The markets the centres serve (default: every market)."""
    lead_days_cut: int = Field(default=0, ge=0, le=3650)
    """Days the centres take off a served market's ``contract_lead_days`` (never below 0),
    for orders placed once they are open."""


class Reinvestment(Section):
    """Where export money goes besides the firm's cash."""

    export_levy: Share = 0.0
    """Share of export revenue paid into the procurement budget (spent at the next tranche)."""
    capacity_reinvest: Share = 0.0
    """Share of export profit (after levy) turned into new capacity."""
    capacity_per_usd: float = Field(default=1.0, ge=0.0, le=100.0)
    """Annual capacity (USD) added per USD invested (reinvested or from outside); an
    assumption, 1 by default."""
    outside_investment: float = Field(default=0.0, ge=0.0, le=10.0)
    """USD invested from outside the firm (investors, partners) per USD of a firm's export
    revenue; it adds capacity like reinvestment and never passes through the firm's cash."""
    build_months: int = Field(default=0, ge=0, le=120)
    """Whole months an investment takes to build: capacity invested in at a month's end
    produces from ``build_months`` + 1 months later (0: at once, from the next month)."""
    levy_shares: dict[Name, Share] | None = None
    """Split of the export levy across sectors when it is spent; shares sum to 1.
    Default: the budget's ``sector_shares``."""

    @field_validator("levy_shares")
    @classmethod
    def _levy_shares_sum_to_one(cls, shares: dict[str, float] | None) -> dict[str, float] | None:
        if shares is not None and abs(sum(shares.values()) - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"shares must sum to 1 (they sum to {sum(shares.values()):.6g})")
        return shares


class JointLine(Section):
    """A production line abroad, run with a partner, building a domestic sector's design."""

    partner: Name
    """Partner country or company."""
    sector: Name
    """Sector whose technology the line builds (and whose firms earn the royalty)."""
    start: dt.date
    """Date the line starts taking orders."""
    capacity_usd: NonNegativeUSD
    """Annual capacity of the line, USD at domestic prices."""
    royalty: Share
    """Share of the line's output value paid to the sector's domestic firms."""
    serves: Name
    """Market whose orders the line takes first."""


class Credit(Section):
    """Working-capital credit against a firm's order book."""

    order_book_share: Share
    """Most a firm may owe, as a share of its order book: its domestic and export backlog,
    and what the state owes it for work delivered."""
    annual_rate: float = Field(ge=0.0, le=1.0)
    """Interest on what a firm owes, per year (charged monthly)."""


class Mothballing(Section):
    """Idle capacity a firm lays up to cut its fixed cost, and brings back when orders need it."""

    after_months: int = Field(ge=1, le=120)
    """Capacity idle at every month-end of this many consecutive months is mothballed."""
    fixed_cost_floor: Share
    """Share of its fixed cost that mothballed capacity still costs (guarding, upkeep)."""
    restart_months: int = Field(ge=0, le=120)
    """Months from deciding to restart mothballed capacity to it producing again; it
    pays its full fixed cost meanwhile."""


class ExitOutcomes(Section):
    """What becomes of a firm that exits; probabilities sum to 1."""

    bankrupt: Share
    """Capacity is gone."""
    migrated: Share
    """Capacity leaves the country."""
    acquired: Share
    """Capacity goes to the largest active firm of the sector."""

    @model_validator(mode="after")
    def _sum_to_one(self) -> ExitOutcomes:
        total = self.bankrupt + self.migrated + self.acquired
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"outcome probabilities must sum to 1 (they sum to {total:.6g})")
        return self


class Exits(Section):
    """Firms that run out of money."""

    grace_months: int = Field(default=6, ge=1, le=1200)
    """Consecutive month-ends with negative cash after which a firm exits."""
    outcomes: ExitOutcomes = ExitOutcomes(bankrupt=0.6, migrated=0.25, acquired=0.15)
    """Probabilities of the exit outcomes."""


class Scenario(Section):
    """A complete scenario: what is simulated, for how long, how often."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=120)
    """Short name; used for the results folder."""
    description: str = ""
    """One or two sentences on what the scenario represents."""
    start: dt.date
    """First simulated day."""
    months: int = Field(ge=1, le=1200)
    """Horizon in calendar months."""
    warm_up_months: int = Field(default=0, ge=0, le=120)
    """Months simulated before ``start`` and not reported, so that what happened before
    the reporting window (licences granted, the queue, a commission pause, exits) carries
    into it."""
    replications: int = Field(default=100, ge=1, le=1_000_000)
    """Independent replications to run."""
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    """Root seed; replication k draws from child k of numpy's SeedSequence(seed)."""
    sectors: dict[Name, Sector] = Field(min_length=1)
    """The sectors and their firms."""
    procurement: Procurement
    """Domestic procurement."""
    licensing: Licensing | None = None
    """The export licensing mechanism; omit it for a closed export channel."""
    markets: dict[Name, Market] = Field(default_factory=dict)
    """Foreign markets placing export orders."""
    export_centres: ExportCentres | None = None
    """Export promotion centres (optional)."""
    reinvestment: Reinvestment = Reinvestment()
    """Levy and reinvestment of export money."""
    joint_production: tuple[JointLine, ...] = ()
    """Production lines abroad."""
    exits: Exits = Exits()
    """Exit of firms with negative cash."""
    credit: Credit | None = None
    """Working-capital credit (omit it: firms have none)."""
    mothballing: Mothballing | None = None
    """Laying up idle capacity (omit it: idle capacity costs its full fixed cost)."""

    @field_validator("start")
    @classmethod
    def _first_of_month(cls, start: dt.date) -> dt.date:
        if start.day != 1:
            raise ValueError(f"must be the first day of a month (results are monthly), not {start}")
        return start

    @model_validator(mode="after")
    def _references_exist(self) -> Scenario:
        problems = list(self._reference_problems())
        if problems:
            raise CrossReferenceError(problems)
        return self

    def _reference_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        sectors = set(self.sectors)
        found: list[tuple[tuple[str | int, ...], str]] = []

        def undefined(loc: tuple[str | int, ...], name: str, kind: str, known: set[str]) -> None:
            found.append(
                (loc, f"{kind} '{name}' is not defined (defined: {', '.join(sorted(known))})")
            )

        for name in self.procurement.sector_shares:
            if name not in sectors:
                undefined(("procurement", "sector_shares", name), name, "sector", sectors)
        for name in self.reinvestment.levy_shares or {}:
            if name not in sectors:
                undefined(("reinvestment", "levy_shares", name), name, "sector", sectors)
        centres = self.export_centres
        for k, name in enumerate(centres.markets or () if centres else ()):
            if name not in self.markets:
                undefined(("export_centres", "markets", k), name, "market", set(self.markets))
        uplift = 1.0 + (centres.count * centres.demand_uplift if centres else 0.0)
        for market_name, market in self.markets.items():
            for name in market.demand_usd:
                if name not in sectors:
                    undefined(("markets", market_name, "demand_usd", name), name, "sector", sectors)
            orders = sum(market.demand_usd.values()) * uplift / market.order_usd
            if orders > MAX_ORDERS_PER_YEAR:
                message = (f"about {orders:,.0f} orders a year (demand / order_usd, export "
                           f"centres included); at most {MAX_ORDERS_PER_YEAR:,}: raise order_usd")
                found.append((("markets", market_name, "order_usd"), message))
        if self.licensing is not None:
            rates = self.licensing.approval_rate
            for name in rates:
                if name != "default" and name not in sectors:
                    undefined(("licensing", "approval_rate", name), name, "sector", sectors)
            for name, sector in self.sectors.items():
                if sector.exportable and name not in rates and "default" not in rates:
                    found.append(
                        (
                            ("licensing", "approval_rate"),
                            f"no rate for exportable sector '{name}' and no 'default'",
                        )
                    )
        for i, line in enumerate(self.joint_production):
            if line.sector not in sectors:
                undefined(("joint_production", i, "sector"), line.sector, "sector", sectors)
            if line.serves not in self.markets:
                undefined(
                    ("joint_production", i, "serves"), line.serves, "market", set(self.markets)
                )
        return found

    @property
    def sector_names(self) -> tuple[str, ...]:
        """Sector names in scenario order: the engine's sector ``s`` is ``sector_names[s]``."""
        return tuple(self.sectors)

    @property
    def market_names(self) -> tuple[str, ...]:
        """Market names in scenario order: the engine's market ``m`` is ``market_names[m]``."""
        return tuple(self.markets)
