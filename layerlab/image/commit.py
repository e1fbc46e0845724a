"""`docker commit --change`: Dockerfile instructions applied to a container's config (SEMANTICS 22).

Only CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD USER VOLUME WORKDIR are accepted,
as in moby `daemon/commit.go`.

>>> from layerlab.image.model import ImageConfig
>>> apply_changes(ImageConfig(cmd=("sh",)), ['CMD ["nginx", "-g", "daemon off;"]', "ENV MODE=prod", "EXPOSE 80"]).to_json()
{'ExposedPorts': {'80/tcp': {}}, 'Env': ['MODE=prod'], 'Cmd': ['nginx', '-g', 'daemon off;']}
"""

from __future__ import annotations

from typing import Sequence

from ..errors import DockerfileError, LayerlabError
from ..fs import paths
from .dockerfile import expand, parse_dockerfile
from .model import ImageConfig

ALLOWED = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR")


def apply_changes(config: ImageConfig, changes: Sequence[str], snapshot=None) -> ImageConfig:
    """The config after `--change` instructions, refusing the ones commit does not accept."""
    for text in changes:
        try:
            ins = parse_dockerfile(f"FROM scratch\n{text}\n", filename="--change").instructions[1]
        except (DockerfileError, IndexError) as exc:
            raise LayerlabError(f"invalid --change {text!r}: {exc}") from None
        if ins.keyword not in ALLOWED:
            raise LayerlabError(f"{ins.keyword} is not a valid change command (docker commit --change accepts "
                                f"{', '.join(ALLOWED)})")
        env = config.env_dict()
        if ins.keyword == "ENV":
            for key, value in ins.pairs(env):
                config = config.with_env(key, value)
        elif ins.keyword == "LABEL":
            labels = dict(config.labels)
            labels.update(ins.pairs(env))
            config = config.replace(labels=labels)
        elif ins.keyword in ("CMD", "ENTRYPOINT"):
            value = tuple(ins.args) if ins.json else tuple(config.shell or ("/bin/sh", "-c")) + (ins.args_text,)
            config = config.replace(**{ins.keyword.lower(): value})
        elif ins.keyword == "EXPOSE":
            ports = {p if "/" in p else p + "/tcp" for w in ins.args for p in expand(w, env).split()}
            config = config.replace(exposed_ports=tuple(sorted(set(config.exposed_ports) | ports)))
        elif ins.keyword == "USER":
            config = config.replace(user=expand(ins.user, env))
        elif ins.keyword == "VOLUME":
            config = config.replace(volumes=tuple(sorted(set(config.volumes) | set(ins.volumes))))
        elif ins.keyword == "WORKDIR":
            path = expand(ins.workdir, env)
            config = config.replace(working_dir=paths.normalize(
                path if path.startswith("/") else paths.join(config.working_dir or "/", path)))
        elif ins.keyword == "ONBUILD":
            trigger = ins.original.strip()[len("ONBUILD"):].strip()
            config = config.replace(onbuild=config.onbuild + (trigger,))
    return config
