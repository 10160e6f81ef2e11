"""Exceptions and warnings. Every class also subclasses the builtin it resembles."""

from __future__ import annotations


class CustlensError(Exception):
    """Base class of every error custlens raises on purpose (bad input, missing data).

    The message is English (logs, CLI). An error a report reader may meet can also carry an
    i18n ``key`` with its ``params``, so the report shows it in the reader's language.
    """

    def __init__(self, message: str = "", *, key: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


class InputError(CustlensError, ValueError):
    """A file or DataFrame cannot be read or understood."""


class SchemaError(InputError):
    """Columns are missing or cannot be mapped to the canonical tables."""


class ParseError(InputError):
    """Values cannot be parsed in a way that is safe to guess (e.g. ambiguous dates)."""


class MissingDataError(CustlensError, LookupError):
    """An analysis needs a table or enough rows that the store does not have."""


class StoreError(CustlensError, RuntimeError):
    """The store cannot be opened or has an incompatible schema version."""


class EngineNotSupported(CustlensError, NotImplementedError):
    """An analysis cannot run on the store's engine (e.g. Spark) yet; it says which one to use."""


class OutputExistsError(CustlensError, FileExistsError):
    """An output file exists and was not written by custlens (pass ``--force`` to replace it)."""


class NotFittedError(CustlensError, AttributeError):
    """A model was used for prediction before ``fit``."""


class ConvergenceError(CustlensError, RuntimeError):
    """An optimiser failed to converge."""


class CustlensWarning(UserWarning):
    """Base class of custlens warnings."""


class ConvergenceWarning(CustlensWarning, RuntimeWarning):
    """An optimiser stopped without a clean convergence."""


class DataQualityWarning(CustlensWarning):
    """Data was accepted but looks suspicious (an assumption may be broken)."""


class MissingDependencyError(CustlensError, ImportError):
    """An optional package (an extra such as ``custlens[forecast]``) is not installed."""


def import_optional(module: str, extra: str):  # -> ModuleType
    """Import an optional dependency or say which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"this analysis needs the optional package {module.split('.')[0]!r}; install it with "
            f"pip install 'custlens[{extra}]'", key="error.optional_dependency",
            package=module.split(".")[0], extra=extra,
        ) from exc
