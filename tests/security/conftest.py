"""Fixtures of the attack suite: a database guard on top of tests/conftest.py's app."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.security.harness import unchanged

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from authgate.container import Services


@pytest.fixture
def db_unchanged(services: Services):
    """`async with db_unchanged(): ...` fails when the block changed any guarded table."""

    def guard() -> AbstractAsyncContextManager[None]:
        return unchanged(services.engine)

    return guard
