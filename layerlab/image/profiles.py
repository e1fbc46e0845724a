"""What each builder records for an instruction: layer or not, and the history string (SEMANTICS section 5).

Three profiles: `buildkit` (Docker 23+), `classic` (Docker's legacy builder) and
`docker-2015` (Docker 1.x, where every instruction became its own image with its
own json, even when it changed no file).

>>> created_by("classic", "CMD", 'CMD ["./run.sh"]')
'/bin/sh -c #(nop)  CMD ["./run.sh"]'
>>> created_by("buildkit", "CMD", 'CMD ["./run.sh"]')
'CMD ["./run.sh"]'
>>> created_by("buildkit", "COPY", "COPY run.sh /")
'COPY run.sh / # buildkit'
"""

from __future__ import annotations

from ..errors import BuildError

PROFILES = ("buildkit", "classic", "docker-2015")
BUILDKIT_COMMENT = "buildkit.dockerfile.v0"
NOP = "/bin/sh -c #(nop) "

# instructions whose classic comment is a single argument "#(nop) X" (one space) instead of two
_SINGLE_ARG_COMMENT = {"WORKDIR", "COPY", "ADD"}
# instructions that BuildKit runs as an LLB operation (and so suffixes with "# buildkit")
_BUILDKIT_OPS = {"RUN", "COPY", "ADD"}
METADATA = {"ENV", "LABEL", "CMD", "ENTRYPOINT", "EXPOSE", "USER", "VOLUME", "STOPSIGNAL", "SHELL",
            "HEALTHCHECK", "MAINTAINER", "ARG", "ONBUILD"}


def check_profile(profile: str) -> str:
    """The profile name, or a clear error listing the three."""
    if profile not in PROFILES:
        raise BuildError(f"unknown builder profile {profile!r}: choose 'buildkit' (Docker 23 and later), "
                         "'classic' (the legacy builder) or 'docker-2015' (every instruction its own image)")
    return profile


def created_by(profile: str, keyword: str, message: str) -> str:
    """The history `created_by` string for an instruction whose message is e.g. 'CMD ["x"]'.

    RUN messages are the command itself (with any '|N K=V' build-arg prefix).
    """
    if keyword == "RUN":
        return f"RUN {message} # buildkit" if profile == "buildkit" else message
    if profile == "buildkit":
        return f"{message} # buildkit" if keyword in _BUILDKIT_OPS else message
    if keyword in _SINGLE_ARG_COMMENT:
        return NOP + message
    return NOP + " " + message


def comment(profile: str) -> str:
    """The history comment a profile writes ('buildkit.dockerfile.v0' for BuildKit)."""
    return BUILDKIT_COMMENT if profile == "buildkit" else ""


def makes_layer(profile: str, keyword: str, changed: bool, workdir: str = "/") -> bool:
    """Whether an instruction's step adds a layer (True) or only an empty_layer history entry.

    >>> makes_layer("classic", "RUN", changed=False), makes_layer("buildkit", "RUN", changed=False)
    (False, True)
    >>> makes_layer("classic", "WORKDIR", changed=True), makes_layer("buildkit", "WORKDIR", False, "/")
    (True, False)
    """
    if profile == "docker-2015":
        return True
    if keyword in ("COPY", "ADD"):
        return True
    if keyword == "RUN":
        return True if profile == "buildkit" else changed
    if keyword == "WORKDIR":
        return workdir != "/" if profile == "buildkit" else changed
    return False


def records_history(profile: str, keyword: str) -> bool:
    """BuildKit keeps ONBUILD only in config.OnBuild, with no history entry; the others always record."""
    return not (profile == "buildkit" and keyword == "ONBUILD")


def go_quote_list(items) -> str:
    """Go's %q of a []string: ["a" "b"] (used in CMD and ENTRYPOINT history strings).

    >>> go_quote_list(["/bin/sh", "-c", 'echo "hi"'])
    '["/bin/sh" "-c" "echo \\\\"hi\\\\""]'
    """
    return "[" + " ".join(_go_quote(s) for s in items) + "]"


def go_list(items) -> str:
    """Go's %v of a []string: [a b] (used in VOLUME and SHELL history strings).

    >>> go_list(["/data", "/logs"])
    '[/data /logs]'
    """
    return "[" + " ".join(items) + "]"


def _go_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
