"""The implementations before the session-4 speed-ups (issue 13), kept verbatim as references.

The tests of `custlens.segments` and `custlens.profile` check that the fast paths give the
same results as these straightforward versions, on the demo shop and on edge cases. Only their
imports of each other were changed.
"""
