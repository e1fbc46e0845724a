"""Container: an image's layers, an init layer, a read-write layer on top, and mounts from the host.

Everything a process writes lands in the read-write layer (copying lower files
up whole first) or, under a mount point, on the host. Stopping keeps the
read-write layer; removing the container discards it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConflictError, FilesystemError, LayerlabError
from ..fs import paths
from ..fs.entries import Dir, File, HardLink, Symlink, Whiteout
from ..fs.layer import Layer
from ..fs.snapshot import Snapshot
from ..fs.worktree import CopyUp, WorkTree
from ..image.model import Image, ImageConfig
from .changes import Change, changes
from .initlayer import PLACEHOLDERS, init_layer
from .mounts import Mount, MountNamespace

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class ExecRecord:
    """One command run in a container and what it cost."""

    command: str
    exit_code: int
    stdout: str
    stderr: str
    copy_ups: tuple[CopyUp, ...] = ()

    @property
    def copied_bytes(self) -> int:
        return sum(c.size for c in self.copy_ups)


@dataclass
class Container:
    """A container: its layers, mounts, state and what ran in it."""

    id: str
    name: str
    image: Image
    image_ref: str
    config: ImageConfig
    hostname: str
    created: int
    rootfs: WorkTree
    host: WorkTree
    mounts: list[Mount]
    init: Layer
    state: str = "created"          # created, running, exited
    exit_code: int = 0
    started_at: int | None = None
    finished_at: int | None = None
    command: tuple[str, ...] = ()
    execs: list[ExecRecord] = field(default_factory=list)
    fs: MountNamespace = field(init=False)

    def __post_init__(self):
        self.fs = MountNamespace(self.rootfs, self.host, self.mounts)

    # -- identity ---------------------------------------------------------------------------------
    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def lower(self) -> Snapshot:
        """The image's layers plus the init layer: what the read-write layer sits on."""
        return self.rootfs.lower

    @property
    def running(self) -> bool:
        return self.state == "running"

    def __repr__(self) -> str:
        return f"<Container {self.name} ({self.short_id}) of {self.image_ref}: {self.state}>"

    # -- running commands --------------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        env = {"PATH": DEFAULT_PATH}
        env.update(self.config.env_dict())
        env["HOSTNAME"] = self.hostname
        env.setdefault("HOME", "/root")
        return env

    def exec(self, command: str | list[str], *, user: str | None = None, workdir: str | None = None,
             env: dict[str, str] | None = None) -> ExecRecord:
        """Run a command in the container's namespace (it must be running)."""
        from ..shell import Shell

        if not self.running:
            raise ConflictError(f"Error response from daemon: container {self.short_id} is not running "
                                "(start it first: docker start " + self.name + ")")
        run_env = self.environment()
        run_env.update(env or {})
        before = len(self.rootfs.copy_ups)
        try:
            sh = Shell(self.fs, env=run_env, cwd=workdir or self.config.working_dir or "/",
                       user=user or self.config.user or "root", hostname=self.hostname)
        except LayerlabError as exc:
            raise ConflictError(f"Error response from daemon: unable to find user {user or self.config.user}: "
                                f"{exc}") from None
        if isinstance(command, str):
            result = sh.run(command)
            shown = command
        else:
            result = sh.run_argv(list(command))
            shown = " ".join(command)
        record = ExecRecord(shown, result.exit_code, result.stdout, result.stderr,
                            tuple(self.rootfs.copy_ups[before:]))
        self.execs.append(record)
        return record

    # -- what changed ------------------------------------------------------------------------------
    def changes(self) -> list[Change]:
        """`docker diff`: the read-write layer against the init layer, by stat."""
        return changes(self.rootfs)

    @property
    def size(self) -> int:
        """Bytes in the read-write layer (`docker ps -s` SIZE)."""
        return sum(e.size for e in self.rootfs.upper.values() if isinstance(e, (File, Symlink)))

    @property
    def virtual_size(self) -> int:
        """Image plus read-write layer (`docker ps -s` virtual)."""
        return self.image.size + self.size

    @property
    def copied_bytes(self) -> int:
        """Bytes copied up from lower layers so far."""
        return self.rootfs.copied_bytes

    def rw_layer(self, driver: str = "overlay2") -> Layer:
        """The read-write layer as a changeset: the upperdir (overlay2, aufs) or a naive diff (vfs)."""
        if driver == "vfs":
            return self.rootfs.naive_layer()
        return self.rootfs.upper_layer()

    def view(self) -> Snapshot:
        """The container's root filesystem without its mounts (image + init + read-write)."""
        return self.rootfs.snapshot()

    def export_layer(self) -> Layer:
        """`docker export`: one flat tree of image + init + read-write; no whiteouts, no mount content."""
        return Layer(self.view().walk(), created_by=f"docker export {self.name}")

    # -- mounts --------------------------------------------------------------------------------------
    def mount_table(self) -> list[dict]:
        """The container's mounts as `docker inspect` lists them."""
        return [m.to_json() for m in sorted(self.mounts, key=lambda m: m.destination)]

    def where(self, path: str) -> tuple[str, str]:
        """Where a container path's bytes live: ('rw layer' | 'image layer N' | 'init layer' | 'volume NAME'
        | 'bind mount', host path or layer path)."""
        real = self.fs.resolve(path, follow_symlinks=False)
        mount = self.fs.mount_at(real)
        if mount is not None:
            _, host_path, _ = self.fs.route(real)
            what = f"volume {mount.source}" if mount.type == "volume" else "bind mount"
            return what, host_path
        if self.rootfs.in_upper(real):
            return "rw layer", real
        origin = self.lower.origin(real)
        if origin == len(self.image.layers):
            return "init layer", real
        return f"image layer {origin}", real


def make_container(*, id: str, name: str, image: Image, image_ref: str, config: ImageConfig, hostname: str,
                   created: int, host: WorkTree, mounts: list[Mount], clock) -> Container:
    """Create a container: init layer over the image, an empty read-write layer, mount points made."""
    init = init_layer(mtime=created)
    lower = image.rootfs.apply(init)
    rootfs = WorkTree(lower, clock=clock)
    rootfs.command = "docker create"
    container = Container(id, name, image, image_ref, config, hostname, created, rootfs, host, mounts, init)
    for m in mounts:
        if m.destination in PLACEHOLDERS or m.internal:
            continue
        try:
            real = container.rootfs.resolve(m.destination)
        except FilesystemError as exc:
            raise ConflictError(f"cannot mount at {m.destination}: {exc}") from None
        if not rootfs.lexists(real):
            host_entry = host._view.get(m.host_path)
            if isinstance(host_entry, Dir) or host_entry is None:
                rootfs.mkdir(real, 0o755, parents=True)
            else:
                parent = paths.parent(real)
                if not rootfs.lexists(parent):
                    rootfs.mkdir(parent, 0o755, parents=True)
                rootfs.write(real, b"", mode=0o755)
        elif m.type == "volume" and not rootfs.is_dir(real):
            raise ConflictError(f"cannot mount volume over existing file {m.destination}: a volume needs a "
                                "directory")
    rootfs.copy_ups.clear()
    return container
