"""The testing kit's Hypothesis strategies, with this suite's example counts.

The strategies live in :mod:`civicrecord.testing.strategies`, where plugin
authors get them too. Importing this module also registers two Hypothesis
profiles and loads one: ``ci`` (hundreds of examples per property) when
``CI=true``, otherwise ``dev`` (few examples, for quick runs on a shared
machine). A test module that wants them only needs ``from strategies import ...``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from civicrecord.testing.strategies import (
    LANGUAGES,
    PAYLOADS,
    XML_ILLEGAL,
    ids,
    partial_dates,
    reports,
    texts,
)

__all__ = ["LANGUAGES", "PAYLOADS", "XML_ILLEGAL", "ids", "partial_dates", "reports", "texts"]

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev"
)
