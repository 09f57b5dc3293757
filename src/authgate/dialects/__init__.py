"""The dialect registry: adding one is a package and a line here."""

from __future__ import annotations

from authgate.dialects.base import Dialect
from authgate.dialects.feathers import FeathersDialect
from authgate.dialects.form import FormDialect
from authgate.dialects.legacy import LegacyDialect
from authgate.dialects.oauth import OAuthDialect
from authgate.dialects.v1 import V1Dialect

REGISTRY: dict[str, Dialect] = {
    "feathers": FeathersDialect(),
    "v1": V1Dialect(),
    "legacy": LegacyDialect(),
    "form": FormDialect(),
    "oauth": OAuthDialect(),
}
