"""Write or check the sha256 of every file listed in a dataset version's manifest.

A published version is immutable: ``seal.py`` refuses to change a digest that is already set
unless ``--force`` is given (for a version that has not been released yet).

Usage: python scripts/refdata/seal.py src/citycarbon/refdata/data/<dataset>/<version> [--force]
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import yaml


def seal(folder: Path, *, force: bool) -> None:
    """Fill in missing digests (and, with ``force``, replace stale ones)."""
    manifest_path = folder / "manifest.yaml"
    manifest = yaml.safe_load(manifest_path.read_text("utf-8"))
    for name, entry in manifest["files"].items():
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        if entry.get("sha256") not in (None, "", digest) and not force:
            raise SystemExit(f"{folder / name}: digest differs from the sealed one; make a new version")
        entry["sha256"] = digest
    manifest_path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")


if __name__ == "__main__":
    seal(Path(sys.argv[1]), force="--force" in sys.argv)
