"""Engine: a simulated Docker daemon holding images, containers and volumes, with docker-CLI-shaped methods.

>>> eng = Engine()
>>> img = eng.build('FROM busybox\\nRUN echo hi > /greeting\\nCMD ["cat", "/greeting"]', tag="hello")
>>> c = eng.run("hello", "sh -c 'rm /greeting && echo bye > /tmp/x'")
>>> eng.diff(c)
[('D', '/greeting'), ('C', '/tmp'), ('A', '/tmp/x')]
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from .errors import BuildError, ConflictError, FilesystemError, LayerlabError, NotFoundError
from .fs import paths
from .fs.entries import Dir, File
from .fs.layer import Layer
from .fs.union import merge
from .fs.worktree import WorkTree
from .image.builder import START, Build, counter, timestamp, with_rootfs
from .image.cache import BuildCache
from .image.model import SCRATCH, HistoryEntry, Image, ImageConfig
from .runtime import drivers
from .runtime.container import Container, ExecRecord, make_container
from .runtime.mounts import CONTAINERS_DIR, VOLUMES_DIR, Mount
from .tables import Table, ago, human_size

DRIVERS = drivers.DRIVERS
_ADJECTIVES = ("admiring", "brave", "clever", "dazzling", "eager", "focused", "gifted", "happy", "jolly", "keen",
               "lucid", "modest", "nifty", "optimistic", "peaceful", "quirky", "relaxed", "serene", "tender", "vibrant")
_NAMES = ("albattani", "babbage", "curie", "darwin", "euler", "feynman", "galileo", "hopper", "johnson", "kepler",
          "lovelace", "mayer", "noether", "pasteur", "ritchie", "shannon", "tesla", "turing", "wozniak", "yonath")


def normalize_ref(ref: str) -> str:
    """Docker's short form of an image reference: 'library/' and 'docker.io/' dropped, ':latest' added.

    >>> normalize_ref("ubuntu"), normalize_ref("docker.io/library/ubuntu:14.04"), normalize_ref("me/app:v2")
    ('ubuntu:latest', 'ubuntu:14.04', 'me/app:v2')
    """
    ref = ref.strip()
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
    if "@" in ref:
        return ref
    last = ref.rsplit("/", 1)[-1]
    return ref if ":" in last else ref + ":latest"


def split_ref(ref: str) -> tuple[str, str]:
    """(repository, tag) of a normalized reference."""
    repo, _, tag = ref.rpartition(":")
    return repo, tag


@lru_cache(maxsize=None)
def catalog_image(ref: str) -> Image:
    """A base image from the built-in catalog (what `docker pull` would fetch), shared by every engine."""
    from .image.bases import base_image

    base = base_image(ref)
    history = tuple(HistoryEntry.from_json(h) for h in base.history)
    img = Image(layers=base.layers, config=ImageConfig.from_json(base.config), history=history,
                architecture=base.architecture, os=base.os, created=base.created)
    return img


@dataclass
class Volume:
    """A named or anonymous volume: a directory on the host under /var/lib/docker/volumes."""

    name: str
    created: int
    anonymous: bool = False
    labels: dict = field(default_factory=dict)

    @property
    def mountpoint(self) -> str:
        return f"{VOLUMES_DIR}/{self.name}/_data"


class Engine:
    """A simulated Docker daemon. driver decides the on-disk picture and the whiteout style of new layers."""

    def __init__(self, driver: str = "overlay2", profile: str = "buildkit", *, start: int = START):
        if driver not in DRIVERS:
            raise LayerlabError(f"unknown storage driver {driver!r}: choose one of {', '.join(DRIVERS)}")
        self.driver = driver
        self.profile = profile
        self._clock = counter(start)
        self._now = start
        self.images: dict[str, Image] = {}
        self.tags: dict[str, str] = {}
        self.parents: dict[str, str] = {}
        self.image_created: dict[str, int] = {}
        self.containers: dict[str, Container] = {}
        self.volumes: dict[str, Volume] = {}
        self.cache = BuildCache()
        self.last_build: Build | None = None
        self._serial = 0
        self.host = WorkTree(merge([Layer.from_spec({
            "/var/lib/docker/volumes/": Dir(mode=0o701), "/var/lib/docker/containers/": Dir(mode=0o710),
            f"/var/lib/docker/{driver}/": Dir(mode=0o710), "/var/lib/docker/image/": Dir(mode=0o700),
            "/home/learner/": Dir(uid=1000, gid=1000), "/tmp/": Dir(mode=0o1777)})]), clock=self.tick)

    # -- time --------------------------------------------------------------------------------------
    def tick(self) -> int:
        """Advance the simulated clock by one second and return it."""
        self._now = self._clock()
        return self._now

    @property
    def now(self) -> int:
        return self._now

    def _id(self, *parts) -> str:
        self._serial += 1
        return hashlib.sha256(json.dumps([self._serial, *map(str, parts)]).encode()).hexdigest()

    # -- images ------------------------------------------------------------------------------------
    def pull(self, ref: str) -> Image:
        """`docker pull`: fetch a base image from the built-in catalog and tag it."""
        name = normalize_ref(ref)
        try:
            img = catalog_image(name)
        except NotFoundError:
            raise NotFoundError(f"Error response from daemon: pull access denied for {split_ref(name)[0]}, "
                                "repository does not exist (the simulator's registry has: "
                                + ", ".join(_catalog_names()) + ")") from None
        self._store(img, [name])
        return img

    def _store(self, img: Image, tags: Iterable[str] = (), parent: str | None = None) -> None:
        if img.id not in self.images:
            self.images[img.id] = img
            self.image_created[img.id] = self.now
        for tag in tags:
            self.tags[normalize_ref(tag)] = img.id
        if parent:
            self.parents[img.id] = parent

    def resolve_image(self, ref: str, *, pull: bool = True) -> Image:
        """An image by tag, full or short ID; base images are pulled on first use."""
        if isinstance(ref, Image):
            return ref
        ref = str(ref)
        if ref == "scratch":
            return SCRATCH
        name = normalize_ref(ref)
        if name in self.tags:
            return self.images[self.tags[name]]
        key = ref.split(":", 1)[1] if ref.startswith("sha256:") else ref
        if len(key) >= 4 and all(c in "0123456789abcdef" for c in key):
            found = [i for i in self.images if i.split(":", 1)[1].startswith(key)]
            if len(found) == 1:
                return self.images[found[0]]
        if pull:
            return self.pull(ref)
        raise NotFoundError(f"Error response from daemon: No such image: {ref}")

    def tags_of(self, image_id: str) -> list[str]:
        return sorted(t for t, i in self.tags.items() if i == image_id)

    def tag(self, source: str, target: str) -> Image:
        """`docker tag SOURCE TARGET`."""
        img = self.resolve_image(source, pull=False)
        self.tags[normalize_ref(target)] = img.id
        return img

    def rmi(self, ref: str, *, force: bool = False) -> list[str]:
        """`docker rmi`: untag, and delete the image when no tag is left; refuses an image a container uses."""
        img = self.resolve_image(ref, pull=False)
        users = [c for c in self.containers.values() if c.image.id == img.id]
        if users and not force:
            c = users[0]
            raise ConflictError(f"Error response from daemon: conflict: unable to remove repository reference "
                                f"\"{ref}\" (must force) - container {c.short_id} is using its referenced image "
                                f"{img.short_id}")
        out = []
        name = normalize_ref(ref)
        tags = self.tags_of(img.id)
        if name in self.tags and len(tags) > 1 and not force:
            del self.tags[name]
            return [f"Untagged: {name}"]
        for t in tags:
            del self.tags[t]
            out.append(f"Untagged: {t}")
        children = [i for i, p in self.parents.items() if p == img.id and i in self.images]
        if not children:
            del self.images[img.id]
            self.parents.pop(img.id, None)
            out.append(f"Deleted: {img.id}")
        return out

    def images_table(self, *, all: bool = False) -> Table:
        """`docker images`: REPOSITORY TAG IMAGE ID CREATED SIZE, newest first."""
        rows = []
        for image_id, img in self.images.items():
            tags = self.tags_of(image_id)
            if not tags and not all:
                continue
            created = self._image_time(img)
            for tag in tags or ["<none>:<none>"]:
                repo, t = split_ref(tag)
                rows.append((-created, repo, t, img.short_id, ago(created, self.now), human_size(img.size)))
        rows.sort()
        return Table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], [r[1:] for r in rows])

    def images_list(self) -> list[str]:
        return sorted(self.tags)

    def _image_time(self, img: Image) -> int:
        from datetime import datetime
        try:
            return int(datetime.strptime(img.created[:19], "%Y-%m-%dT%H:%M:%S").replace(
                tzinfo=__import__("datetime").timezone.utc).timestamp())
        except ValueError:
            return 0

    def history(self, ref: str, *, no_trunc: bool = False) -> Table:
        """`docker history`: newest first; IMAGE is <missing> where no local image matches the step."""
        img = self.resolve_image(ref, pull=False)
        rows = []
        layers = iter(reversed(img.layers))
        for h in reversed(img.history):
            size = 0 if h.empty_layer else next(layers).size
            created = self._image_time(Image(created=h.created))
            rows.append(["<missing>", ago(created, self.now) if h.created else "", h.created_by, human_size(size),
                         h.comment])
        image_id = img.id
        for row in rows:
            row[0] = image_id if no_trunc else image_id.split(":", 1)[1][:12]
            image_id = self.parents.get(image_id)
            if image_id is None:
                break
        if not no_trunc:
            for row in rows:
                if len(row[2]) > 45:
                    row[2] = row[2][:44] + "…"
        return Table(["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"], rows)

    def inspect(self, ref: str) -> dict:
        """`docker inspect` of an image or a container, as its JSON object."""
        try:
            c = self.container(ref)
        except NotFoundError:
            c = None
        if c is not None:
            return self._inspect_container(c)
        img = self.resolve_image(ref, pull=False)
        config = img.config.to_json()
        history_comment = img.history[-1].comment if img.history else ""
        data = {
            "Id": img.id,
            "RepoTags": self.tags_of(img.id),
            "RepoDigests": [],
            "Parent": self.parents.get(img.id, ""),
            "Comment": history_comment,
            "Created": img.created,
            "DockerVersion": "",
            "Author": img.author,
            "Config": config,
            "Architecture": img.architecture,
            "Os": img.os,
            "Size": img.size,
            "GraphDriver": {"Name": self.driver, "Data": drivers.graph_driver_data(img, self.driver)},
            "RootFS": {"Type": "layers", "Layers": img.diff_ids},
            "Metadata": {"LastTagTime": timestamp(self.image_created.get(img.id, self.now))},
        }
        return data

    def _cache_id(self, chain: str) -> str:
        return drivers.cache_id(chain)

    # -- storage drivers -----------------------------------------------------------------------------
    def storage(self, ref=None, *, driver: str | None = None) -> "drivers.DriverLayout":
        """The on-disk layout under /var/lib/docker/<driver> of a container, an image, or (no ref) everything.

        driver defaults to this engine's; another one shows how that driver would store the same model.
        """
        return drivers.layout(self, ref, driver or self.driver)

    def disk_usage(self, driver: str | None = None) -> "drivers.DiskUsage":
        """Bytes every image and container takes on disk under a storage driver (shared layers once)."""
        return drivers.disk_usage(self, driver or self.driver)

    # -- building ------------------------------------------------------------------------------------
    def builder(self, dockerfile: str, context=None, *, tag: str | None = None, profile: str | None = None,
                target: str | None = None, build_args: Mapping[str, str] | None = None,
                filename: str = "Dockerfile") -> Build:
        """A build to run step by step (`build.step()`); the image is stored and tagged when it finishes."""
        build = Build(dockerfile, context, resolve_image=self.resolve_image, cache=self.cache, clock=self.tick,
                      profile=profile or self.profile, target=target, build_args=build_args, driver=self.driver,
                      filename=filename)
        build.tag = tag
        self.last_build = build
        return build

    def build(self, dockerfile: str, context=None, tag: str | None = None, *, profile: str | None = None,
              target: str | None = None, build_args: Mapping[str, str] | None = None,
              filename: str = "Dockerfile") -> Image:
        """`docker build`: run every step, store the image (and classic intermediates) and tag it."""
        if context is None and not isinstance(dockerfile, str):
            raise BuildError("give the Dockerfile text as a string")
        build = self.builder(dockerfile, context, tag=tag, profile=profile, target=target, build_args=build_args,
                             filename=filename)
        build.run()
        return self.finish(build)

    def finish(self, build: Build) -> Image:
        """Store a finished build's image and intermediates, and apply its tag."""
        if not build.done:
            raise BuildError("the build is not finished: call build.step() until build.done")
        image = build.image
        parent = None
        for step in build.steps:
            if step.kind == "from":
                parent = step.image.id if step.image.layers or step.image.history else None
                if parent:
                    self._store(step.image)
                continue
            if build.profile != "buildkit":
                self._store(step.image, parent=parent)
                parent = step.image.id
        self._store(image, [build.tag] if getattr(build, "tag", None) else [])
        return image

    # -- containers ----------------------------------------------------------------------------------
    def container(self, ref) -> Container:
        """A container by name, full or short ID."""
        if isinstance(ref, Container):
            if ref.id not in self.containers:
                raise NotFoundError(f"Error response from daemon: No such container: {ref.name}")
            return ref
        ref = str(ref).lstrip("/")
        for c in self.containers.values():
            if c.name == ref or c.id == ref:
                return c
        found = [c for c in self.containers.values() if len(ref) >= 3 and c.id.startswith(ref)]
        if len(found) == 1:
            return found[0]
        raise NotFoundError(f"Error response from daemon: No such container: {ref}")

    def _name(self, container_id: str) -> str:
        h = int(container_id[:8], 16)
        base = f"{_ADJECTIVES[h % len(_ADJECTIVES)]}_{_NAMES[(h // 97) % len(_NAMES)]}"
        name, n = base, 2
        while any(c.name == name for c in self.containers.values()):
            name, n = f"{base}{n}", n + 1
        return name

    def volume_create(self, name: str | None = None, *, labels: Mapping[str, str] | None = None,
                      anonymous: bool = False) -> Volume:
        """`docker volume create`: a named volume (or an anonymous one with a random-looking name)."""
        if name is None:
            name = self._id("volume")
            anonymous = True
        if not name or "/" in name or not all(ch.isalnum() or ch in "_.-" for ch in name) or not name[0].isalnum():
            raise LayerlabError(f'Error response from daemon: create {name}: "{name}" includes invalid characters '
                                'for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you '
                                "intended to pass a host directory, use absolute path")
        if name in self.volumes:
            return self.volumes[name]
        vol = Volume(name, self.tick(), anonymous, dict(labels or {}))
        self.host.mkdir(f"{VOLUMES_DIR}/{name}", 0o755)
        self.host.mkdir(vol.mountpoint, 0o755)
        self.volumes[name] = vol
        return vol

    def volume_ls(self) -> Table:
        return Table(["DRIVER", "VOLUME NAME"], [["local", n] for n in sorted(self.volumes)])

    def volume_inspect(self, name: str) -> dict:
        vol = self._volume(name)
        return {"CreatedAt": timestamp(vol.created), "Driver": "local", "Labels": vol.labels or None,
                "Mountpoint": vol.mountpoint, "Name": vol.name, "Options": None, "Scope": "local"}

    def _volume(self, name: str) -> Volume:
        if name not in self.volumes:
            raise NotFoundError(f"Error response from daemon: get {name}: no such volume")
        return self.volumes[name]

    def volume_rm(self, name: str, *, force: bool = False) -> str:
        """`docker volume rm`: refused while a container uses the volume."""
        self._volume(name)
        users = [c for c in self.containers.values() if any(m.type == "volume" and m.source == name for m in c.mounts)]
        if users and not force:
            raise ConflictError(f"Error response from daemon: remove {name}: volume is in use - "
                                f"[{', '.join(c.id for c in users)}]")
        self.host.rmtree(f"{VOLUMES_DIR}/{name}")
        del self.volumes[name]
        return name

    def volume_files(self, name: str) -> list[str]:
        """The files of a volume as the host sees them."""
        vol = self._volume(name)
        return [p[len(vol.mountpoint):] for p, _ in self.host.walk(vol.mountpoint)]

    def _mounts_for(self, img: Image, volumes, mounts) -> list[Mount]:
        out: dict[str, Mount] = {}
        for spec in (volumes or {}).items() if isinstance(volumes, Mapping) else (volumes or []):
            source, dest, ro = _volume_spec(spec)
            if source.startswith("/"):
                if not self.host.lexists(source):
                    self.host.mkdir(source, 0o755, parents=True)  # `-v /host/dir:/c` creates the host dir
                out[dest] = Mount("bind", source, dest, source, ro)
            else:
                vol = self.volume_create(source) if source not in self.volumes else self.volumes[source]
                out[dest] = Mount("volume", vol.name, dest, vol.mountpoint, ro)
        for m in mounts or []:
            if m.type == "bind" and not self.host.lexists(m.source):
                raise LayerlabError(f"Error response from daemon: invalid mount config for type \"bind\": bind "
                                    f"source path does not exist: {m.source}")
            if m.type == "volume" and m.source not in self.volumes:
                self.volume_create(m.source)
            host_path = m.source if m.type == "bind" else self.volumes[m.source].mountpoint
            out[paths.normalize(m.destination)] = replace(m, host_path=host_path,
                                                          destination=paths.normalize(m.destination))
        for dest in img.config.volumes:
            dest = paths.normalize(dest)
            if dest not in out:
                vol = self.volume_create(anonymous=True)
                out[dest] = Mount("volume", vol.name, dest, vol.mountpoint, anonymous=True)
        return list(out.values())

    def create(self, image: str | Image, command: str | Sequence[str] | None = None, *, name: str | None = None,
               volumes: Mapping[str, str] | Sequence[str] | None = None, mounts: Sequence[Mount] = (),
               env: Mapping[str, str] | Sequence[str] | None = None, workdir: str | None = None,
               user: str | None = None, hostname: str | None = None, entrypoint: Sequence[str] | None = None
               ) -> Container:
        """`docker create`: init layer, empty read-write layer, volumes (filled from the image when empty)."""
        img = self.resolve_image(image)
        ref = image if isinstance(image, str) else img.short_id
        if name is not None and any(c.name == name for c in self.containers.values()):
            other = next(c for c in self.containers.values() if c.name == name)
            raise ConflictError(f'Error response from daemon: Conflict. The container name "/{name}" is already in '
                                f'use by container "{other.id}". You have to remove (or rename) that container to '
                                "be able to reuse that name.")
        config = img.config
        if command is not None:
            config = config.replace(cmd=tuple(shlex.split(command)) if isinstance(command, str) else tuple(command))
        if entrypoint is not None:
            config = config.replace(entrypoint=tuple(entrypoint) or None)
        for key, value in _env_items(env):
            config = config.with_env(key, value)
        if workdir:
            config = config.replace(working_dir=workdir)
        if user:
            config = config.replace(user=user)
        cid = self._id("container", img.id, name)
        hostname = hostname or cid[:12]
        created = self.tick()
        mounts = self._mounts_for(img, volumes, mounts)
        mounts += self._etc_mounts(cid, hostname)
        container = make_container(id=cid, name=name or self._name(cid), image=img, image_ref=ref, config=config,
                                   hostname=hostname, created=created, host=self.host, mounts=mounts, clock=self.tick)
        container.command = tuple((config.entrypoint or ()) + (config.cmd or ()))
        self._populate_volumes(container)
        self.containers[cid] = container
        return container

    def _etc_mounts(self, cid: str, hostname: str) -> list[Mount]:
        base = f"{CONTAINERS_DIR}/{cid}"
        self.host.mkdir(base, 0o710)
        files = {
            "hostname": f"{hostname}\n",
            "hosts": ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
                      "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
                      f"172.17.0.{2 + len(self.containers) % 250}\t{hostname}\n"),
            "resolv.conf": "nameserver 8.8.8.8\nnameserver 8.8.4.4\n",
        }
        out = []
        for fname, text in files.items():
            self.host.write(f"{base}/{fname}", text.encode(), mode=0o644)
            out.append(Mount("bind", f"{base}/{fname}", f"/etc/{fname}", f"{base}/{fname}", internal=True))
        return out

    def _populate_volumes(self, container: Container) -> None:
        """An empty volume is filled from the image content at its mount point (SEMANTICS 25)."""
        view = container.lower
        for m in container.mounts:
            if m.type != "volume":
                continue
            if self.host.listdir(m.host_path):
                continue
            try:
                real = view.resolve(m.destination)
            except (FilesystemError, LayerlabError):
                continue
            if not isinstance(view.get(real), Dir):
                continue
            self.host.command = f"populate volume {m.source} from {container.image_ref}:{m.destination}"
            for path, entry in view.walk(real):
                target = m.host_path + path[len(real):]
                if isinstance(entry, Dir):
                    self.host.mkdir(target, 0o755)
                elif entry.kind == "symlink":
                    self.host.symlink(entry.target, target, uid=entry.uid, gid=entry.gid)
                    continue
                else:
                    self.host.write(target, view.content(path), uid=entry.uid, gid=entry.gid)
                self.host.chmod(target, entry.mode)
                self.host.chown(target, entry.uid, entry.gid)
                self.host.utime(target, entry.mtime)

    def start(self, ref) -> Container:
        """`docker start`: runs the container's command; the simulated main process then stays alive."""
        c = self.container(ref)
        if c.running:
            return c
        c.state = "running"
        c.started_at = self.tick()
        if c.command and not _idles(c.command):
            record = c.exec(list(c.command))
            c.exit_code = record.exit_code
        return c

    def run(self, image: str | Image, command: str | Sequence[str] | None = None, *, detach: bool = True,
            rm: bool = False, **options) -> Container:
        """`docker run`: create and start. With detach=True (the default here) the container keeps running after
        its command, as if the command then waited, so you can exec into it; detach=False behaves like an
        attached `docker run`: the container exits when its command ends."""
        c = self.create(image, command, **options)
        self.start(c)
        c.started_at = c.created        # docker run starts within milliseconds of creating
        if not detach:
            c.state = "exited"
            c.finished_at = self.tick()
            if rm:
                self.rm(c)
        return c

    def stop(self, ref) -> Container:
        """`docker stop`: the read-write layer stays."""
        c = self.container(ref)
        if c.running:
            c.state = "exited"
            c.exit_code = 137 if c.exit_code == 0 and _idles(c.command) else c.exit_code
            c.finished_at = self.tick()
        return c

    def restart(self, ref) -> Container:
        """`docker restart`: stop and start again; files written before survive."""
        c = self.stop(ref)
        c.state = "created"
        return self.start(c)

    def rm(self, ref, *, force: bool = False, volumes: bool = False) -> str:
        """`docker rm`: the read-write layer is discarded; named volumes stay (anonymous ones with volumes=True)."""
        c = self.container(ref)
        if c.running and not force:
            raise ConflictError(f"Error response from daemon: cannot remove container \"/{c.name}\": container is "
                                "running: stop the container before removing or force remove")
        del self.containers[c.id]
        self.host.rmtree(f"{CONTAINERS_DIR}/{c.id}")
        if volumes:
            for m in c.mounts:
                if m.type == "volume" and m.anonymous and m.source in self.volumes:
                    self.volume_rm(m.source)
        c.state = "removed"
        return c.name

    def exec(self, ref, command: str | Sequence[str], *, user: str | None = None,
             workdir: str | None = None) -> ExecRecord:
        """`docker exec`: run a command in a running container."""
        return self.container(ref).exec(command if isinstance(command, str) else list(command), user=user,
                                        workdir=workdir)

    def diff(self, ref) -> list[tuple[str, str]]:
        """`docker diff`: [(kind, path)] sorted by path; A added, C changed, D deleted."""
        return [c.as_tuple() for c in self.container(ref).changes()]

    def commit(self, ref, repository: str | None = None, *, message: str = "", author: str = "",
               changes: Sequence[str] = (), pause: bool = True) -> Image:
        """`docker commit`: the read-write layer becomes a new image layer (SEMANTICS 22)."""
        from .image.commit import apply_changes

        c = self.container(ref)
        layer = c.rw_layer(self.driver)
        now = self.tick()
        created_by = " ".join(c.command)
        config = apply_changes(c.config, changes, c.lower)
        empty = layer.is_empty
        history = HistoryEntry(created_by, empty_layer=empty, comment=message, created=timestamp(now), author=author)
        layers = c.image.layers + (() if empty else (layer.with_history(created_by, message),))
        img = c.image.replace(layers=layers, history=c.image.history + (history,), config=config,
                              created=timestamp(now), author=author or c.image.author)
        snap = c.image.rootfs.apply(layers[-1]) if not empty else c.image.rootfs
        with_rootfs(img, snap)
        self._store(img, [repository] if repository else [], parent=c.image.id)
        return img

    def export(self, ref, path: str | os.PathLike | None = None) -> bytes | None:
        """`docker export`: one flat tar of the container's filesystem; written to path, or returned."""
        layer = self.container(ref).export_layer()
        if path is None:
            return layer.to_tar()
        with open(path, "wb") as f:
            layer.write_tar(f)
        return None

    def ps(self, *, all: bool = False, size: bool = False) -> Table:
        """`docker ps` (-a, -s)."""
        rows = []
        for c in sorted(self.containers.values(), key=lambda c: -c.created):
            if not all and not c.running:
                continue
            if c.running:
                status = f"Up {ago(c.started_at or c.created, self.now)[:-4]}"
            elif c.state == "created":
                status = "Created"
            else:
                status = f"Exited ({c.exit_code}) {ago(c.finished_at or c.created, self.now)}"
            command = " ".join(c.command)
            shown = '"' + (command if len(command) <= 20 else command[:19] + "…") + '"'
            row = [c.short_id, c.image_ref, shown, ago(c.created, self.now), status, "", c.name]
            if size:
                row.append(f"{human_size(c.size)} (virtual {human_size(c.virtual_size)})")
            rows.append(row)
        cols = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"] + (["SIZE"] if size else [])
        return Table(cols, rows)

    def _inspect_container(self, c: Container) -> dict:
        return {
            "Id": c.id, "Created": timestamp(c.created), "Path": c.command[0] if c.command else "",
            "Args": list(c.command[1:]),
            "State": {"Status": c.state, "Running": c.running, "ExitCode": c.exit_code},
            "Image": c.image.id, "Name": "/" + c.name,
            "HostnamePath": f"{CONTAINERS_DIR}/{c.id}/hostname", "HostsPath": f"{CONTAINERS_DIR}/{c.id}/hosts",
            "ResolvConfPath": f"{CONTAINERS_DIR}/{c.id}/resolv.conf", "Driver": self.driver,
            "Mounts": [m.to_json() for m in sorted(c.mounts, key=lambda m: m.destination) if not m.internal],
            "Config": {"Hostname": c.hostname, "Image": c.image_ref, **c.config.to_json()},
            "GraphDriver": {"Name": self.driver, "Data": drivers.graph_driver_data(c, self.driver)},
            "SizeRw": c.size, "SizeRootFs": c.virtual_size,
        }

    # -- save / load --------------------------------------------------------------------------------------
    def save(self, refs: str | Sequence[str], path: str | os.PathLike, *, format: str = "docker-archive",
             layout: str = "oci", compression: str = "none") -> None:
        """`docker save` (format docker-archive; layout 'oci' is Docker 25+, 'legacy' up to 24), or an OCI
        image layout ('oci-dir' directory or 'oci-archive' tar)."""
        from . import formats

        refs = [refs] if isinstance(refs, str) else list(refs)
        images = []
        for ref in refs:
            img = self.resolve_image(ref, pull=False)
            name = normalize_ref(ref)
            tags = (name,) if name in self.tags else tuple(self.tags_of(img.id))
            images.append((tags, img))
        if format == "docker-archive":
            formats.save_docker_archive(images, path, layout=layout)
        elif format in ("oci-dir", "oci-archive"):
            formats.save_oci_layout(images, path, tar=format == "oci-archive", compression=compression)
        else:
            raise LayerlabError(f"unknown save format {format!r}: use 'docker-archive', 'oci-dir' or 'oci-archive'")

    def load(self, path: str | os.PathLike) -> list[Image]:
        """`docker load`: every image in the archive joins the engine under its tags."""
        from . import formats

        loaded = []
        for tags, img in formats.load_images(path):
            self._store(img, tags)
            loaded.append(img)
        return loaded

    def import_(self, path: str | os.PathLike, repository: str | None = None) -> Image:
        """`docker import`: a flat filesystem tar becomes a one-layer image with no history of how it was made."""
        from . import formats

        img = formats.load_image(path)
        now = timestamp(self.tick())
        # like `docker import -`: one layer, one history entry saying where it came from, and no other history
        img = img.replace(history=(HistoryEntry("", comment="Imported from -", created=now),), created=now)
        self._store(img, [repository] if repository else [])
        return img

    # -- disk usage ------------------------------------------------------------------------------------------
    def system_df(self) -> Table:
        """`docker system df`: images, containers and volumes, with shared layers counted once."""
        layer_users: dict[str, int] = {}
        layer_size: dict[str, int] = {}
        for img in self.images.values():
            for chain, layer in zip(img.chain_ids, img.layers):
                layer_users[chain] = layer_users.get(chain, 0) + 1
                layer_size[chain] = layer.size
        total_images = sum(layer_size.values())
        used_images = {c.image.id for c in self.containers.values()}
        active_layers = {ch for i in used_images for ch in self.images.get(i, SCRATCH).chain_ids}
        reclaim_images = sum(s for ch, s in layer_size.items() if ch not in active_layers)
        ctr_size = sum(c.size for c in self.containers.values())
        ctr_reclaim = sum(c.size for c in self.containers.values() if not c.running)
        vol_sizes = {n: self._volume_size(v) for n, v in self.volumes.items()}
        used_vols = {m.source for c in self.containers.values() for m in c.mounts if m.type == "volume"}
        vol_reclaim = sum(s for n, s in vol_sizes.items() if n not in used_vols)
        tagged = [i for i in self.images if self.tags_of(i)]

        def pct(part, whole):
            return f"{human_size(part)} ({round(100 * part / whole) if whole else 0}%)"

        return Table(["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"], [
            ["Images", len(tagged), len([i for i in tagged if i in used_images]), human_size(total_images),
             pct(reclaim_images, total_images)],
            ["Containers", len(self.containers), len([c for c in self.containers.values() if c.running]),
             human_size(ctr_size), pct(ctr_reclaim, ctr_size)],
            ["Local Volumes", len(self.volumes), len(used_vols & set(self.volumes)), human_size(sum(vol_sizes.values())),
             pct(vol_reclaim, sum(vol_sizes.values()))],
            ["Build Cache", len(self.cache), 0, "0B", "0B"],
        ])

    def system_df_verbose(self) -> Table:
        """`docker system df -v` (images part): SHARED SIZE is what an image shares with others."""
        layer_users: dict[str, int] = {}
        for img in self.images.values():
            for chain in img.chain_ids:
                layer_users[chain] = layer_users.get(chain, 0) + 1
        rows = []
        for image_id, img in sorted(self.images.items(), key=lambda kv: self.tags_of(kv[0])):
            tags = self.tags_of(image_id)
            if not tags:
                continue
            shared = sum(l.size for ch, l in zip(img.chain_ids, img.layers) if layer_users[ch] > 1)
            containers = sum(1 for c in self.containers.values() if c.image.id == image_id)
            for tag in tags:
                repo, t = split_ref(tag)
                rows.append([repo, t, img.short_id, ago(self._image_time(img), self.now), human_size(img.size),
                             human_size(shared), human_size(img.size - shared), containers])
        return Table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"],
                     rows)

    def _volume_size(self, vol: Volume) -> int:
        return sum(e.size for _, e in self.host.walk(vol.mountpoint) if isinstance(e, File))


def _catalog_names() -> list[str]:
    from .image.bases import BASE_NAMES
    return [n for n in BASE_NAMES if n != "scratch"]


def _volume_spec(spec) -> tuple[str, str, bool]:
    """('vol1', '/data') or 'vol1:/data:ro' -> (source, destination, read_only)."""
    if isinstance(spec, str):
        parts = spec.split(":")
        if len(parts) == 1:
            raise LayerlabError(f"invalid volume spec {spec!r}: use NAME:/path or /host/path:/path")
        source, dest = parts[0], parts[1]
        ro = len(parts) > 2 and "ro" in parts[2].split(",")
    else:
        source, dest = spec[0], spec[1]
        ro = False
        if ":" in dest:
            dest, _, mode = dest.partition(":")
            ro = "ro" in mode.split(",")
    if not dest.startswith("/"):
        raise LayerlabError(f"Error response from daemon: invalid mount config: mount path must be absolute: {dest}")
    return source, paths.normalize(dest), ro


def _env_items(env) -> list[tuple[str, str]]:
    if env is None:
        return []
    if isinstance(env, Mapping):
        return [(str(k), str(v)) for k, v in env.items()]
    out = []
    for item in env:
        key, _, value = str(item).partition("=")
        out.append((key, value))
    return out


_IDLE = {"sleep", "tail", "sh", "bash", "ash", "dash", "cat", "nginx", "python", "python3", "top"}


def _idles(command: Sequence[str]) -> bool:
    """A command that would keep running (a shell, sleep infinity, a server): start leaves it idle."""
    if not command:
        return False
    name = os.path.basename(command[0])
    if name in ("sh", "bash", "ash", "dash") and len(command) == 1:
        return True
    if name == "sleep" or (name == "tail" and "-f" in command) or name in ("nginx", "top"):
        return True
    if name in ("python", "python3", "cat") and len(command) == 1:
        return True
    return False
