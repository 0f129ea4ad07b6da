"""curate: schema-first curation of conflict-event data.

The public entry points, `curate.validate`, `curate.Report`, `curate.load_schema`,
`curate.release_digest` (the published digest of a release directory) and the importers
`curate.import_acled` and `curate.import_ucdp`, are imported lazily so that
`import curate` (and `curate --help`) stays fast. The validation engine lives in
`curate.validation`, so that `curate.validate` is always the function. The layout by
stage and the layering rules of the package: docs/architecture.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curate.interchange.acled.importer import import_acled
    from curate.interchange.ucdp.importer import import_ucdp
    from curate.release.package import release_digest
    from curate.report import Report
    from curate.schema.loader import load_schema
    from curate.validation.api import validate

__all__ = [
    "Report",
    "__version__",
    "import_acled",
    "import_ucdp",
    "load_schema",
    "release_digest",
    "validate",
]
__version__ = "0.1.0"

_LAZY = {
    "validate": "curate.validation.api",
    "Report": "curate.report",
    "load_schema": "curate.schema.loader",
    "release_digest": "curate.release.package",
    "import_acled": "curate.interchange.acled.importer",
    "import_ucdp": "curate.interchange.ucdp.importer",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'curate' has no attribute {name!r}")
