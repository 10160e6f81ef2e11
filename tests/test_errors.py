"""Errors: optional dependencies name the extra that installs them; keys translate."""

from __future__ import annotations

import pytest

from custlens import i18n
from custlens.errors import CustlensError, MissingDependencyError, import_optional
import custlens.store  # noqa: F401  (registers the error texts)


def test_missing_optional_package_names_the_extra() -> None:
    with pytest.raises(MissingDependencyError) as exc:
        import_optional("custlens_no_such_package", "forecast")
    assert isinstance(exc.value, ImportError) and isinstance(exc.value, CustlensError)
    assert "pip install 'custlens[forecast]'" in str(exc.value)
    zh = i18n.t(exc.value.key, "zh", **exc.value.params)
    assert "custlens[forecast]" in zh and "可选" in zh


def test_present_optional_package_imports() -> None:
    assert import_optional("json", "none").dumps([1]) == "[1]"
