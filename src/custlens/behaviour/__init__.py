"""Purchase behaviour: frequency, preferences, market baskets, timing and festival effects.

Every analysis takes a `custlens.Store` and an ``as_of`` date, computes its aggregations
in the store, and returns a dataclass of DataFrames and numbers (no plotting, no printing).
"""

from custlens.behaviour.basket import BasketResult, market_basket
from custlens.behaviour.festivals import (DEFAULT_FESTIVALS, FestivalResult, ShoppingFestival, festival_calendar,
                                          festival_lift)
from custlens.behaviour.frequency import BUCKETS, FrequencyResult, purchase_frequency
from custlens.behaviour.preferences import MISSING, PreferenceResult, customer_preferences, preferences
from custlens.behaviour.timing import TimingResult, purchase_timing

__all__ = [
    "BUCKETS",
    "DEFAULT_FESTIVALS",
    "MISSING",
    "BasketResult",
    "FestivalResult",
    "FrequencyResult",
    "PreferenceResult",
    "ShoppingFestival",
    "TimingResult",
    "customer_preferences",
    "festival_calendar",
    "festival_lift",
    "market_basket",
    "preferences",
    "purchase_frequency",
    "purchase_timing",
]
