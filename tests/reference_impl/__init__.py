"""The code replaced by the session-4 speed-ups (issue 13), as of commit 5c1950d, kept as references.

The tests of `custlens.segments` and `custlens.profile` check that the fast paths give the same
results as these straightforward versions, on the demo shop and on edge cases. Each module holds
only the functions rewritten since 5c1950d, verbatim but for their docstrings; everything that
did not change is imported from src.
"""
