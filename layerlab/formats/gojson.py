"""JSON the way Go's encoding/json writes it, and a careful reader for JSON found in archives.

Go writes compact JSON, keeps struct fields in declaration order, sorts map
keys and escapes '<', '>' and '&'; layerlab mirrors that so the bytes (and so
the digests) it writes are stable.

>>> go_json({"b": "<&>", "a": 1})
b'{"b":"\\\\u003c\\\\u0026\\\\u003e","a":1}'
"""

from __future__ import annotations

import json

from ..errors import FormatError

MAX_JSON_BYTES = 64 << 20  # no manifest, index or config comes near this; a bigger one is an attack

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value, *, sort_keys: bool = False, newline: bool = False) -> bytes:
    """Compact JSON as Go's json.Marshal writes it (json.Encoder adds a newline)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys)
    for char, escape in _GO_ESCAPES.items():
        if char in text:
            text = text.replace(char, escape)
    return (text + ("\n" if newline else "")).encode("utf-8")


def parse_json(data: bytes, member: str, what: str, kind: type = dict):
    """Decode JSON bytes from an archive member, requiring the top-level kind (dict or list).

    >>> parse_json(b'{"schemaVersion": 2}', "index.json", "the OCI index")
    {'schemaVersion': 2}
    """
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise FormatError(f"{member} ({what}) is not valid JSON: {exc}; the archive is corrupt or was "
                          "not written by an image tool") from None
    if not isinstance(value, kind):
        shape = "object" if kind is dict else "list"
        raise FormatError(f"{member} ({what}) must be a JSON {shape}, not {type(value).__name__}")
    return value
