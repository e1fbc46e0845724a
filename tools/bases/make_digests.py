"""Recompute the stored DiffIDs of every base image layer (run after changing the data or the tar writer).

    python tools/bases/make_digests.py
"""

from __future__ import annotations

import json

from layerlab.fs.layer import Layer
from layerlab.image.bases import BASE_NAMES, base_image, canonical_reference
from layerlab.image.bases.digests import PATH, fingerprint


def main() -> None:
    out = {}
    for name in sorted({canonical_reference(n) for n in BASE_NAMES if n != "scratch"}):
        for layer in base_image(name).layers:
            fresh = Layer(layer.entries)  # no preset digest: hash the real tar
            out[fingerprint(layer)] = [fresh.diff_id, fresh.tar_size]
            print(name, fresh.diff_id, fresh.tar_size)
    PATH.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
