"""Fault injection for the crash tests: kill the process at a named ingest stage.

``CUSTLENS_FAULT_AT=<stage>`` makes `reach` send SIGKILL to the running process when the
ingest reaches ``stage``, so a test can prove that a crash at any point leaves the store as
it was before the ingest or as it is after it, never in between. Unset (the normal case)
it costs one dictionary lookup per stage.
"""

from __future__ import annotations

import os
import signal

ENV = "CUSTLENS_FAULT_AT"
#: The stages `custlens.ingest.core` announces, in order.
STAGES = ("read", "parsed", "begin", "quarantined", "inserted", "logged", "committed")


def reach(stage: str) -> None:
    """Kill this process with SIGKILL when ``CUSTLENS_FAULT_AT`` names ``stage``."""
    if os.environ.get(ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
