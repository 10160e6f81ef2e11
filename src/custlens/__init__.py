"""custlens: open customer analytics for online shops."""

from custlens.errors import CustlensError
from custlens.store import Store, open_store

__version__ = "0.1.0"
__all__ = ["CustlensError", "Store", "open_store", "__version__"]
