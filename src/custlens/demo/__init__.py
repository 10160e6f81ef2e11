"""Synthetic demo shop with known ground truth (BG/NBD purchases, Gamma-Gamma spend, a campaign).

>>> from custlens.demo import generate_shop
>>> shop = generate_shop("demo_data")  # doctest: +SKIP
"""

from custlens.demo._params import DemoParams, Festival, ShopCalendar
from custlens.demo.shop import DemoShop, generate_shop

__all__ = ["DemoParams", "DemoShop", "Festival", "ShopCalendar", "generate_shop"]
