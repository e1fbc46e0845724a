"""Image, ImageConfig and HistoryEntry: what an image is, as the OCI image config records it.

Changing an image returns a new one. The Image ID is the sha256 of the exact
config bytes (SEMANTICS 20), so the same content always has the same ID.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Mapping

from ..errors import FormatError
from ..fs.layer import Layer
from ..fs.tarcodec import chain_id, sha256_digest

EPOCH = "1970-01-01T00:00:00Z"


def _pairs(value) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        value = value.items()
    return tuple(sorted((str(k), str(v)) for k, v in (value or ())))


@dataclass(frozen=True)
class ImageConfig:
    """The runtime defaults of an image (the `config` object of an image config).

    >>> ImageConfig(env=("PATH=/bin",), cmd=("sh",)).to_json()
    {'Env': ['PATH=/bin'], 'Cmd': ['sh']}
    """

    user: str = ""
    exposed_ports: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    volumes: tuple[str, ...] = ()
    working_dir: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    stop_signal: str = ""
    args_escaped: bool = False
    healthcheck: tuple[tuple[str, Any], ...] | None = None
    onbuild: tuple[str, ...] = ()
    shell: tuple[str, ...] | None = None

    def __post_init__(self):
        for name in ("exposed_ports", "env", "volumes", "onbuild"):
            object.__setattr__(self, name, tuple(getattr(self, name) or ()))
        for name in ("entrypoint", "cmd", "shell"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "labels", _pairs(self.labels))
        if isinstance(self.healthcheck, Mapping):
            object.__setattr__(self, "healthcheck", tuple(self.healthcheck.items()))

    def env_dict(self) -> dict[str, str]:
        """Env as a dict (the last value of a repeated name wins)."""
        out = {}
        for item in self.env:
            key, _, value = item.partition("=")
            out[key] = value
        return out

    def with_env(self, key: str, value: str) -> "ImageConfig":
        """A config with one variable set, keeping the order Docker keeps."""
        env = [e for e in self.env if e.partition("=")[0] != key]
        index = next((i for i, e in enumerate(self.env) if e.partition("=")[0] == key), None)
        item = f"{key}={value}"
        if index is None:
            env.append(item)
        else:
            env = list(self.env)
            env[index] = item
        return replace(self, env=tuple(env))

    def replace(self, **changes) -> "ImageConfig":
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_json(self) -> dict:
        """The config object with OCI/Docker key names, empty fields left out."""
        out: dict[str, Any] = {}
        if self.user:
            out["User"] = self.user
        if self.exposed_ports:
            out["ExposedPorts"] = {p: {} for p in sorted(self.exposed_ports)}
        if self.env:
            out["Env"] = list(self.env)
        if self.entrypoint is not None:
            out["Entrypoint"] = list(self.entrypoint)
        if self.cmd is not None:
            out["Cmd"] = list(self.cmd)
        if self.volumes:
            out["Volumes"] = {v: {} for v in sorted(self.volumes)}
        if self.working_dir:
            out["WorkingDir"] = self.working_dir
        if self.labels:
            out["Labels"] = dict(self.labels)
        if self.stop_signal:
            out["StopSignal"] = self.stop_signal
        if self.args_escaped:
            out["ArgsEscaped"] = True
        if self.healthcheck is not None:
            out["Healthcheck"] = dict(self.healthcheck)
        if self.onbuild:
            out["OnBuild"] = list(self.onbuild)
        if self.shell is not None:
            out["Shell"] = list(self.shell)
        return out

    @classmethod
    def from_json(cls, data: Mapping | None) -> "ImageConfig":
        """Read the config object of an image config (unknown keys are ignored)."""
        data = data or {}

        def seq(key):
            value = data.get(key)
            return None if value is None else tuple(value)

        return cls(
            user=data.get("User") or "",
            exposed_ports=tuple(data.get("ExposedPorts") or ()),
            env=tuple(data.get("Env") or ()),
            entrypoint=seq("Entrypoint"),
            cmd=seq("Cmd"),
            volumes=tuple(data.get("Volumes") or ()),
            working_dir=data.get("WorkingDir") or "",
            labels=data.get("Labels") or (),
            stop_signal=data.get("StopSignal") or "",
            args_escaped=bool(data.get("ArgsEscaped")),
            healthcheck=data.get("Healthcheck"),
            onbuild=tuple(data.get("OnBuild") or ()),
            shell=seq("Shell"),
        )


@dataclass(frozen=True)
class HistoryEntry:
    """One step of an image's history; empty_layer steps changed only the config."""

    created_by: str = ""
    empty_layer: bool = False
    comment: str = ""
    created: str = EPOCH
    author: str = ""

    def to_json(self) -> dict:
        out: dict[str, Any] = {"created": self.created}
        if self.author:
            out["author"] = self.author
        out["created_by"] = self.created_by
        if self.comment:
            out["comment"] = self.comment
        if self.empty_layer:
            out["empty_layer"] = True
        return out

    @classmethod
    def from_json(cls, data: Mapping) -> "HistoryEntry":
        return cls(created_by=data.get("created_by", ""), empty_layer=bool(data.get("empty_layer", False)),
                   comment=data.get("comment", ""), created=data.get("created", EPOCH),
                   author=data.get("author", ""))


@dataclass(frozen=True)
class Image:
    """An image: layers (base first), a config and a history.

    >>> img = Image(layers=(Layer.from_spec({"/etc/motd": "hi"}),),
    ...             history=(HistoryEntry("COPY motd /etc/"),))
    >>> img.id == sha256_digest(img.config_bytes()), len(img.diff_ids)
    (True, 1)
    """

    layers: tuple[Layer, ...] = ()
    config: ImageConfig = field(default_factory=ImageConfig)
    history: tuple[HistoryEntry, ...] = ()
    architecture: str = "amd64"
    os: str = "linux"
    created: str = EPOCH
    author: str = ""
    raw_config: bytes | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "history", tuple(self.history))

    # -- identity ------------------------------------------------------------------------
    @property
    def diff_ids(self) -> list[str]:
        return [layer.diff_id for layer in self.layers]

    @property
    def chain_ids(self) -> list[str]:
        """ChainID of each prefix of the layer stack (how layers are shared on disk)."""
        out, ids = [], []
        for diff_id in self.diff_ids:
            ids.append(diff_id)
            out.append(chain_id(ids) if len(ids) > 1 else diff_id)
        return out

    def config_json(self) -> dict:
        """The image config document (image-spec config.md)."""
        out: dict[str, Any] = {"architecture": self.architecture}
        if self.author:
            out["author"] = self.author
        out["config"] = self.config.to_json()
        out["created"] = self.created
        out["history"] = [h.to_json() for h in self.history]
        out["os"] = self.os
        out["rootfs"] = {"type": "layers", "diff_ids": self.diff_ids}
        return out

    def config_bytes(self) -> bytes:
        """The exact config bytes: the stored ones for a loaded image, else compact JSON."""
        if self.raw_config is not None:
            return self.raw_config
        return json.dumps(self.config_json(), separators=(",", ":")).encode()

    @cached_property
    def id(self) -> str:
        """The Image ID: sha256 of the config bytes."""
        return sha256_digest(self.config_bytes())

    @property
    def short_id(self) -> str:
        """The 12 hex digits `docker images` shows."""
        return self.id.split(":", 1)[1][:12]

    # -- content -------------------------------------------------------------------------
    @cached_property
    def rootfs(self):
        """The merged filesystem of all layers (a Snapshot), computed once."""
        from ..fs.union import merge
        return merge(self.layers)

    @property
    def size(self) -> int:
        """Sum of the layers' content sizes (what `docker images` calls SIZE)."""
        return sum(layer.size for layer in self.layers)

    def __repr__(self) -> str:
        cmd = list((self.config.entrypoint or ()) + (self.config.cmd or ()))
        return (f"<Image {self.id[:19]}…: {len(self.layers)} layers, {self.size:,} B, "
                f"{len(self.history)} history entries, cmd {cmd}>")

    def replace(self, **changes) -> "Image":
        """A new image with some fields changed (the config bytes are recomputed)."""
        changes.setdefault("raw_config", None)
        return replace(self, **changes)

    @classmethod
    def from_config(cls, raw: bytes, layers) -> "Image":
        """An image from its exact config bytes and its layers, checking rootfs.diff_ids."""
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise FormatError(f"image config is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise FormatError("image config is not a JSON object")
        layers = tuple(layers)
        try:
            expected = list((data.get("rootfs") or {}).get("diff_ids") or [])
            history = tuple(HistoryEntry.from_json(h) for h in data.get("history") or ())
            config = ImageConfig.from_json(data.get("config"))
        except (AttributeError, TypeError, ValueError) as exc:
            raise FormatError(f"image config has a field of the wrong type ({exc}): rootfs, history and config "
                              "must be JSON objects and lists as image-spec config.md describes") from None
        actual = [layer.diff_id for layer in layers]
        if expected != actual:
            raise FormatError(f"image config lists {len(expected)} diff_ids that do not match the "
                              f"{len(layers)} layers found: the config and the layer blobs disagree")
        non_empty = [h for h in history if not h.empty_layer]
        if history and len(non_empty) == len(layers):
            layers = tuple(layer.with_history(h.created_by, h.comment) for layer, h in zip(layers, non_empty))
        return cls(layers=layers, config=config, history=history,
                   architecture=str(data.get("architecture", "amd64")), os=str(data.get("os", "linux")),
                   created=str(data.get("created", EPOCH)), author=str(data.get("author", "")),
                   raw_config=bytes(raw))


SCRATCH = Image()
"""The empty image, `FROM scratch`: no layers, no history, an empty config."""
