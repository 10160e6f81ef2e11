"""The outcome of one ingest: the accounting every caller can check."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class IngestResult:
    """What happened to every row of one source.

    Always ``rows_read == rows_loaded + rows_quarantined + duplicates_skipped``.

    Attributes
    ----------
    source, table : str
        The file (or DataFrame name) and the canonical table it went into.
    rows_read, rows_loaded, rows_quarantined, duplicates_skipped : int
        The accounting. A loaded row went into the table (for line-item orders: into
        ``order_items``/``orders``, or into ``returns``).
    orders, customers : int
        Distinct orders loaded and distinct customers with a loaded order (orders only).
    revenue : float
        Sum of the loaded order amounts (orders only).
    returns : int
        Rows loaded as returns or cancellations.
    quarantine_reasons : dict
        ``{reason: count}``; the rows themselves are in ``_quarantine``.
    mapping : dict
        ``{file header: canonical column}`` as used.
    decisions : list of str
        How the file was read: encoding, delimiter, day-first, decimal comma, line items.
    warnings : list of str
        Suspicious but accepted findings, e.g. a reason that hit most rows.
    """

    source: str
    table: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicates_skipped: int = 0
    orders: int = 0
    customers: int = 0
    revenue: float = 0.0
    returns: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    decisions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        total = self.rows_loaded + self.rows_quarantined + self.duplicates_skipped
        if total != self.rows_read:
            raise AssertionError(
                f"ingest accounting broken for {self.source}: rows_read={self.rows_read} but "
                f"loaded+quarantined+duplicates={total}"
            )

    def to_dict(self) -> dict:
        return asdict(self)
