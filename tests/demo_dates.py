"""The demo shop's period in the tests: fixed, so no test depends on the day it runs (the
demo's own default ends with the last complete month)."""

DEMO_DATES = {"start": "2024-01-01", "end": "2026-09-30"}
