"""The Dockerfile parser against BuildKit's rules: each row states the Dockerfile and what BuildKit makes of it."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layerlab.errors import DockerfileError, LayerlabError, NotFoundError
from layerlab.image.dockerfile import (
    EXPANDS, KEYWORDS, Flag, Healthcheck, Heredoc, expand, expand_words, parse_dockerfile,
)

SEED = """FROM ubuntu:14.04
ADD run.sh /
VOLUME /data
CMD ["./run.sh"]
"""


def test_seed_dockerfile_has_four_instructions_on_lines_one_to_four():
    df = parse_dockerfile(SEED)
    assert [(i.keyword, i.line, i.end_line) for i in df.instructions] == [
        ("FROM", 1, 1), ("ADD", 2, 2), ("VOLUME", 3, 3), ("CMD", 4, 4)]
    cmd = df.instructions[3]
    assert cmd.json is True and cmd.args == ("./run.sh",)
    assert [s.base for s in df.stages] == ["ubuntu:14.04"]
    assert df.stages[0].instructions == df.instructions[1:]
    assert df.text == SEED and df.escape == "\\" and dict(df.directives) == {}


# --- How lines become instructions: (Dockerfile, [(keyword, line, end_line, args_text)]) --------

LINES = [
    pytest.param("FROM a\nRUN echo a \\\n  && echo b\n",
                 [("FROM", 1, 1, "a"), ("RUN", 2, 3, "echo a   && echo b")], id="continuation-keeps-spaces"),
    pytest.param("FROM a\nRUN echo a \\\n  # a comment inside\n\n  && echo b\n",
                 [("FROM", 1, 1, "a"), ("RUN", 2, 5, "echo a   && echo b")], id="comment-and-empty-line-inside"),
    pytest.param("FROM a\nRUN echo a \\   \t\n  b\n",
                 [("FROM", 1, 1, "a"), ("RUN", 2, 3, "echo a   b")], id="whitespace-after-escape"),
    pytest.param("FROM a\nRUN echo \\\\\nRUN next\n",
                 [("FROM", 1, 1, "a"), ("RUN", 2, 2, "echo \\\\"), ("RUN", 3, 3, "next")],
                 id="escaped-escape-is-no-continuation"),
    pytest.param("FROM a\nRUN echo hi \\", [("FROM", 1, 1, "a"), ("RUN", 2, 2, "echo hi")],
                 id="continuation-at-end-of-file"),
    pytest.param("FROM a\nRUN a\\\n\\\n b\n", [("FROM", 1, 1, "a"), ("RUN", 2, 4, "a b")],
                 id="lone-escape-line-continues"),
    pytest.param("# comment\n\n   FROM a   \n\t# indented comment\n", [("FROM", 3, 3, "a")],
                 id="comments-blank-lines-indentation"),
    pytest.param("from a\nRun echo\nwOrKdIr /x\n",
                 [("FROM", 1, 1, "a"), ("RUN", 2, 2, "echo"), ("WORKDIR", 3, 3, "/x")], id="keywords-any-case"),
    pytest.param("\ufeffFROM a\r\nRUN x \\\r\n  y\r\n", [("FROM", 1, 1, "a"), ("RUN", 2, 3, "x   y")],
                 id="bom-and-crlf"),
    pytest.param("FROM a\nRUN <<EOF\n# not a comment\n\\\nEOF\nRUN b\n",
                 [("FROM", 1, 1, "a"), ("RUN", 2, 5, "<<EOF"), ("RUN", 6, 6, "b")], id="heredoc-body-is-raw"),
    pytest.param("FROM a\nENV A=1 \\\n    B=2\n", [("FROM", 1, 1, "a"), ("ENV", 2, 3, "A=1     B=2")],
                 id="env-over-two-lines"),
]


@pytest.mark.parametrize("text, expected", LINES)
def test_lines_become_instructions(text, expected):
    df = parse_dockerfile(text)
    assert [(i.keyword, i.line, i.end_line, i.args_text) for i in df.instructions] == expected


def test_original_keeps_the_source_as_written():
    text = "FROM a\nRUN echo a \\\n  # note\n  && echo b\nCOPY <<EOF /f\nbody\nEOF\n"
    run, copy = parse_dockerfile(text).instructions[1:]
    assert run.original == "RUN echo a \\\n  # note\n  && echo b"
    assert copy.original == "COPY <<EOF /f\nbody\nEOF"


# --- Parser directives and the escape character: (Dockerfile, directives, escape, RUN args_text) -

DIRECTIVES = [
    pytest.param("# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=all\nFROM a\nRUN echo `\n  hi\n",
                 {"syntax": "docker/dockerfile:1", "escape": "`", "check": "skip=all"}, "`", "echo   hi",
                 id="all-three"),
    pytest.param("#  ESCAPE = `  \nFROM a\nRUN dir c:\\ `\n  && echo\n", {"escape": "`"}, "`", "dir c:\\   && echo",
                 id="backtick-spaces-any-case"),
    pytest.param("  # escape=`\nFROM a\nRUN a `\n b\n", {"escape": "`"}, "`", "a  b", id="indented-directive"),
    pytest.param("# escape=\\\nFROM a\nRUN a \\\n b\n", {"escape": "\\"}, "\\", "a  b", id="backslash-escape"),
    pytest.param("# hello\n# escape=`\nFROM a\nRUN a \\\n b\n", {}, "\\", "a  b", id="comment-ends-directives"),
    pytest.param("# unknown=x\n# escape=`\nFROM a\nRUN a \\\n b\n", {}, "\\", "a  b",
                 id="unknown-directive-is-a-comment"),
    pytest.param("FROM a\n# escape=`\nRUN a \\\n b\n", {}, "\\", "a  b", id="after-an-instruction-is-a-comment"),
    pytest.param("# escape=`\nFROM a\nRUN echo \\\nRUN b\n", {"escape": "`"}, "`", "echo \\",
                 id="backslash-is-literal-under-backtick"),
]


@pytest.mark.parametrize("text, directives, escape, run_args_text", DIRECTIVES)
def test_parser_directives(text, directives, escape, run_args_text):
    df = parse_dockerfile(text)
    assert dict(df.directives) == directives
    assert df.escape == escape
    assert df.instructions[1].args_text == run_args_text


def test_blank_line_ends_directives_so_backtick_is_no_escape():
    with pytest.raises(DockerfileError, match=r"^Dockerfile:5: unknown instruction: b$"):
        parse_dockerfile("\n# escape=`\nFROM a\nRUN a `\n b\n")


# --- How each keyword splits its arguments: (instruction line, args, json) ---------------------

ARGUMENTS = [
    pytest.param('CMD ["./run.sh", "-v"]', ("./run.sh", "-v"), True, id="exec-form"),
    pytest.param("CMD [ ]", (), True, id="empty-exec-form"),
    pytest.param("CMD ./run.sh -v", ("./run.sh -v",), False, id="shell-form"),
    pytest.param("CMD [\"a\", 'b']", ("[\"a\", 'b']",), False, id="invalid-json-falls-back-to-shell"),
    pytest.param('RUN ["echo", "hi" ', ('["echo", "hi"',), False, id="unclosed-json-falls-back"),
    pytest.param('ENTRYPOINT ["a", NaN]', ('["a", NaN]',), False, id="nan-is-not-json"),
    pytest.param("RUN", (), False, id="run-without-command"),
    pytest.param('SHELL ["/bin/bash", "-c"]', ("/bin/bash", "-c"), True, id="shell"),
    pytest.param("COPY a b /dst/", ("a", "b", "/dst/"), False, id="copy-words"),
    pytest.param('COPY ["a b", "/dst/"]', ("a b", "/dst/"), True, id="copy-json"),
    pytest.param('VOLUME ["/a", "/b"]', ("/a", "/b"), True, id="volume-json"),
    pytest.param("VOLUME /a  /b", ("/a", "/b"), False, id="volume-words"),
    pytest.param("EXPOSE 80/tcp\t443", ("80/tcp", "443"), False, id="expose"),
    pytest.param("USER app:staff", ("app:staff",), False, id="user-one-string"),
    pytest.param("WORKDIR /my dir", ("/my dir",), False, id="workdir-one-string"),
    pytest.param("STOPSIGNAL SIGKILL", ("SIGKILL",), False, id="stopsignal"),
    pytest.param("MAINTAINER Jane <jane@example.com>", ("Jane <jane@example.com>",), False, id="maintainer"),
    pytest.param('ENV A=1 B="two words" C=a\\ b', ("A=1", 'B="two words"', "C=a\\ b"), False,
                 id="env-words-keep-quotes"),
    pytest.param("ENV PATH /usr/local/bin:$PATH  more", ("PATH", "/usr/local/bin:$PATH  more"), False,
                 id="env-legacy-form"),
    pytest.param("LABEL a=b 'c d'=e", ("a=b", "'c d'=e"), False, id="label-words"),
    pytest.param("ARG A B=2", ("A", "B=2"), False, id="arg-several"),
    pytest.param("HEALTHCHECK CMD curl -f http://localhost/", ("CMD", "curl -f http://localhost/"), False,
                 id="healthcheck-shell"),
    pytest.param('HEALTHCHECK CMD ["curl", "-f"]', ("CMD", "curl", "-f"), True, id="healthcheck-exec"),
    pytest.param("HEALTHCHECK NONE", ("NONE",), False, id="healthcheck-none"),
    pytest.param("ONBUILD RUN make", ("RUN make",), False, id="onbuild-keeps-trigger-text"),
]


@pytest.mark.parametrize("line, args, is_json", ARGUMENTS)
def test_arguments_are_split_by_keyword(line, args, is_json):
    instruction = parse_dockerfile(f"FROM a\n{line}\n").instructions[1]
    assert (instruction.args, instruction.json) == (args, is_json)


# --- Flags: (instruction line, flags, args) ----------------------------------------------------

FLAGS = [
    pytest.param("COPY --from=build --chown=app:app --chmod=755 a /b",
                 (Flag("from", "build"), Flag("chown", "app:app"), Flag("chmod", "755")), ("a", "/b"), id="copy"),
    pytest.param("COPY --link --parents --exclude=*.md --exclude=*.txt a /b",
                 (Flag("link"), Flag("parents"), Flag("exclude", "*.md"), Flag("exclude", "*.txt")), ("a", "/b"),
                 id="bare-and-repeated"),
    pytest.param('COPY --from="my stage" a /b', (Flag("from", "my stage"),), ("a", "/b"), id="quoted-value"),
    pytest.param("COPY --link=false a /b", (Flag("link", "false"),), ("a", "/b"), id="bool-false"),
    pytest.param("ADD --checksum=sha256:00 --keep-git-dir=true --unpack https://x/y.tgz /y",
                 (Flag("checksum", "sha256:00"), Flag("keep-git-dir", "true"), Flag("unpack")),
                 ("https://x/y.tgz", "/y"), id="add"),
    pytest.param("RUN --mount=type=cache,target=/c --mount=type=secret,id=k --network=none --security=sandbox make",
                 (Flag("mount", "type=cache,target=/c"), Flag("mount", "type=secret,id=k"), Flag("network", "none"),
                  Flag("security", "sandbox")), ("make",), id="run"),
    pytest.param("RUN -- --version", (), ("--version",), id="double-dash-ends-flags"),
    pytest.param("RUN echo --not-a-flag", (), ("echo --not-a-flag",), id="flags-only-lead"),
    pytest.param("HEALTHCHECK --interval=5m --timeout=3s --start-period=1s --start-interval=2s --retries=3 CMD true",
                 (Flag("interval", "5m"), Flag("timeout", "3s"), Flag("start-period", "1s"),
                  Flag("start-interval", "2s"), Flag("retries", "3")), ("CMD", "true"), id="healthcheck"),
    pytest.param("STOPSIGNAL --ignored SIGTERM", (Flag("ignored"),), ("SIGTERM",), id="stopsignal-never-reads-flags"),
    pytest.param("ARG --ignored=1 V", (Flag("ignored", "1"),), ("V",), id="arg-never-reads-flags"),
]


@pytest.mark.parametrize("line, flags, args", FLAGS)
def test_flags(line, flags, args):
    instruction = parse_dockerfile(f"FROM a\n{line}\n").instructions[1]
    assert (instruction.flags, instruction.args) == (flags, args)


def test_flag_helpers():
    copy = parse_dockerfile("FROM a\nCOPY --link --exclude=a --exclude=b --from=x s d\n").instructions[1]
    assert copy.flag("from") == "x" and copy.flag("link") == "true" and copy.flag("chown", "0:0") == "0:0"
    assert copy.flag_values("exclude") == ("a", "b") and copy.flag_values("chmod") == ()


def test_from_platform_flag():
    stage = parse_dockerfile("FROM --platform=$BUILDPLATFORM golang AS build\n").stages[0]
    assert (stage.platform, stage.name, stage.base) == ("$BUILDPLATFORM", "build", "golang")


# --- Heredocs: (Dockerfile, instruction index, heredocs, end_line) ----------------------------

HEREDOCS = [
    pytest.param("FROM a\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n", 1,
                 (Heredoc("EOF", "apt-get update\napt-get install -y curl\n"),), 5, id="run"),
    pytest.param("FROM a\nRUN <<A <<B\none\nA\ntwo\nB\n", 1,
                 (Heredoc("A", "one\n"), Heredoc("B", "two\n")), 6, id="two-on-one-line"),
    pytest.param("FROM a\nRUN python3 <<EOF\nprint('hi')\nEOF\n", 1,
                 (Heredoc("EOF", "print('hi')\n"),), 4, id="as-stdin"),
    pytest.param("FROM a\nRUN <<-EOF\n\techo tab\n\t\tEOF\n", 1,
                 (Heredoc("EOF", "echo tab\n", chomp=True),), 4, id="chomp-strips-tabs"),
    pytest.param("FROM a\nRUN <<'EOF'\necho $HOME\nEOF\n", 1,
                 (Heredoc("EOF", "echo $HOME\n", expand=False),), 4, id="single-quoted-no-expand"),
    pytest.param('FROM a\nRUN <<"EOF"\necho $HOME\nEOF\n', 1,
                 (Heredoc("EOF", "echo $HOME\n", expand=False),), 4, id="double-quoted-no-expand"),
    pytest.param("FROM a\nRUN <<E\"O\"F\nx\nEOF\n", 1, (Heredoc("EOF", "x\n", expand=False),), 4,
                 id="partly-quoted-no-expand"),
    pytest.param("FROM a\nRUN cat <<EOF | sh\nx\n  EOF\nEOF\n", 1, (Heredoc("EOF", "x\n  EOF\n"),), 5,
                 id="indented-terminator-is-body"),
    pytest.param("FROM a\nRUN <<EOF\nEOF\n", 1, (Heredoc("EOF", ""),), 3, id="empty-body"),
    pytest.param("FROM a\nCOPY <<EOF /etc/motd\nWelcome\nEOF\n", 1, (Heredoc("EOF", "Welcome\n"),), 4, id="copy"),
    pytest.param("FROM a\nADD <<EOF /x\nx\nEOF\n", 1, (Heredoc("EOF", "x\n"),), 4, id="add"),
    pytest.param("FROM a\nRUN echo \"<<EOF\"\nRUN b\n", 1, (), 2, id="quoted-is-not-a-heredoc"),
    pytest.param("FROM a\nRUN [\"cat\", \"<<EOF\"]\nRUN b\n", 1, (), 2, id="exec-form-has-none"),
    pytest.param("FROM a\nENV A=<<EOF\nRUN b\n", 1, (), 2, id="only-run-copy-add"),
    pytest.param("FROM a\nRUN echo a \\\n  <<EOF\nx\nEOF\n", 1, (Heredoc("EOF", "x\n"),), 5,
                 id="after-a-continuation"),
]


@pytest.mark.parametrize("text, index, heredocs, end_line", HEREDOCS)
def test_heredocs(text, index, heredocs, end_line):
    instruction = parse_dockerfile(text).instructions[index]
    assert (instruction.heredocs, instruction.end_line) == (heredocs, end_line)


def test_copy_heredoc_sources_stay_in_order():
    copy = parse_dockerfile('FROM a\nCOPY <<one src <<"two" /dst/\n1 $X\none\n2 $X\ntwo\n').instructions[1]
    assert copy.sources == (Heredoc("one", "1 $X\n"), "src", Heredoc("two", "2 $X\n", expand=False))
    assert copy.dest == "/dst/"


# --- ONBUILD ----------------------------------------------------------------------------------

def test_onbuild_holds_its_trigger_as_an_instruction():
    df = parse_dockerfile("FROM a\nONBUILD COPY --chown=1:1 . /app\nONBUILD RUN <<EOF\nmake\nEOF\n")
    copy, run = (i.onbuild for i in df.instructions[1:])
    assert (copy.keyword, copy.flags, copy.args, copy.original) == (
        "COPY", (Flag("chown", "1:1"),), (".", "/app"), "COPY --chown=1:1 . /app")
    assert (run.keyword, run.heredocs, run.original, run.line, run.end_line, run.stage) == (
        "RUN", (Heredoc("EOF", "make\n"),), "RUN <<EOF\nmake\nEOF", 3, 5, 0)


def test_onbuild_trigger_is_checked_only_when_it_runs():
    trigger = parse_dockerfile("FROM a\nONBUILD RUUN make\n").instructions[1].onbuild
    assert (trigger.keyword, trigger.args_text) == ("RUUN", "make")


# --- Stages ------------------------------------------------------------------------------------

STAGES = [
    pytest.param("FROM golang:1.22 AS Build\nRUN go build\nFROM scratch\nCOPY --from=build /app /\n",
                 [(0, "build", "golang:1.22", None, 1), (1, None, "scratch", None, 1)], [0, 0, 1, 1],
                 id="two-stages-name-lower-cased"),
    pytest.param("ARG V=3.19\nARG REG\nFROM $REG/alpine:$V as base\n",
                 [(0, "base", "$REG/alpine:$V", None, 0)], [-1, -1, 0], id="args-before-from"),
    pytest.param("FROM --platform=linux/arm64 a AS x\nFROM x\nFROM b AS y\n",
                 [(0, "x", "a", "linux/arm64", 0), (1, None, "x", None, 0), (2, "y", "b", None, 0)], [0, 1, 2],
                 id="platform-and-unnamed"),
]


@pytest.mark.parametrize("text, stages, instruction_stages", STAGES)
def test_stages(text, stages, instruction_stages):
    df = parse_dockerfile(text)
    assert [(s.index, s.name, s.base, s.platform, len(s.instructions)) for s in df.stages] == stages
    assert [i.stage for i in df.instructions] == instruction_stages
    assert all(s.from_instruction.keyword == "FROM" and s.from_instruction.stage == s.index for s in df.stages)


def test_stage_lookup_by_name_or_index():
    df = parse_dockerfile("FROM a AS Build\nFROM b\n")
    assert df.stage("BUILD") is df.stages[0] and df.stage(1) is df.stages[1]
    with pytest.raises(NotFoundError, match='target stage "test" could not be found'):
        df.stage("test")
    with pytest.raises(NotFoundError):
        df.stage(2)


# --- Per-keyword views: (Dockerfile line, view, expected) --------------------------------------

VIEWS = [
    pytest.param('ENV A=1 B="two words"', lambda i: i.pairs(), (("A", "1"), ("B", '"two words"')),
                 id="env-pairs-as-written"),
    pytest.param('ENV A=1 B="two words" C=${A}x', lambda i: i.pairs({"A": "1"}),
                 (("A", "1"), ("B", "two words"), ("C", "1x")), id="env-pairs-expanded"),
    pytest.param("ENV JAVA_HOME /usr/lib/jvm  x", lambda i: i.pairs({}), (("JAVA_HOME", "/usr/lib/jvm  x"),),
                 id="env-legacy-pair"),
    pytest.param('LABEL "com.example.vendor"="ACME Inc" version=1.0', lambda i: i.pairs({}),
                 (("com.example.vendor", "ACME Inc"), ("version", "1.0")), id="label-pairs"),
    pytest.param("ARG A B=2 C=", lambda i: i.pairs(), (("A", None), ("B", "2"), ("C", "")), id="arg-pairs"),
    pytest.param("ARG VERSION=1.2", lambda i: (i.arg_name, i.arg_default), ("VERSION", "1.2"), id="arg-default"),
    pytest.param("ARG VERSION", lambda i: (i.arg_name, i.arg_default), ("VERSION", None), id="arg-no-default"),
    pytest.param("FROM img:${TAG} AS Final", lambda i: (i.image, i.as_name, i.platform),
                 ("img:${TAG}", "final", None), id="from"),
    pytest.param("COPY a b /c/", lambda i: (i.sources, i.dest), (("a", "b"), "/c/"), id="copy-sources"),
    pytest.param("ADD https://x/a.tgz /opt/", lambda i: (i.sources, i.dest), (("https://x/a.tgz",), "/opt/"),
                 id="add-sources"),
    pytest.param("EXPOSE 8080 443/tcp 22", lambda i: i.ports, ("22", "443/tcp", "8080"), id="expose-sorted"),
    pytest.param('VOLUME [" /a ", "/b"]', lambda i: i.volumes, ("/a", "/b"), id="volumes-trimmed"),
    pytest.param("USER 1000:1000", lambda i: i.user, "1000:1000", id="user"),
    pytest.param("WORKDIR /srv/$APP", lambda i: i.workdir, "/srv/$APP", id="workdir"),
    pytest.param("HEALTHCHECK NONE", lambda i: i.healthcheck, Healthcheck(("NONE",)), id="healthcheck-none"),
    pytest.param("HEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD curl -f localhost",
                 lambda i: i.healthcheck,
                 Healthcheck(("CMD-SHELL", "curl -f localhost"), interval=90_000_000_000, timeout=500_000_000,
                             retries=3), id="healthcheck-shell"),
    pytest.param('HEALTHCHECK --start-period=1.5s --start-interval=0 CMD ["pg_isready"]', lambda i: i.healthcheck,
                 Healthcheck(("CMD", "pg_isready"), start_period=1_500_000_000), id="healthcheck-exec"),
]


@pytest.mark.parametrize("line, view, expected", VIEWS)
def test_keyword_views(line, view, expected):
    assert view(parse_dockerfile(f"FROM a\n{line}\n").instructions[-1]) == expected


def test_a_view_of_another_keyword_is_absent():
    run = parse_dockerfile("FROM a\nRUN true\n").instructions[1]
    assert not hasattr(run, "image") and not hasattr(run, "dest")
    with pytest.raises(AttributeError, match="a RUN instruction has no key/value pairs"):
        run.pairs()


# --- Errors, in BuildKit's words: (Dockerfile, line, reason) ------------------------------

ERRORS = [
    pytest.param("", None, "the Dockerfile cannot be empty", id="empty"),
    pytest.param("# only a comment\n\n", None, "file with no instructions", id="no-instructions"),
    pytest.param("ARG A=1\n", None, "dockerfile contains no stages to build", id="no-from"),
    pytest.param("RUN echo\nFROM a\n", 1, "no build stage in current context", id="run-before-from"),
    pytest.param("ARG A\nENV B=1\nFROM a\n", 2, "no build stage in current context",
                 id="only-arg-before-from"),
    pytest.param("FROM a\nRUUN echo\n", 2, "unknown instruction: RUUN (did you mean RUN?)",
                 id="unknown-upper"),
    pytest.param("FROM a\nruun echo\n", 2, "unknown instruction: ruun (did you mean run?)",
                 id="unknown-lower"),
    pytest.param("FROM a\nCPY a b\n", 2, "unknown instruction: CPY (did you mean COPY?)",
                 id="unknown-copy"),
    pytest.param("FROM a\nINSTALL x\n", 2, "unknown instruction: INSTALL", id="unknown-no-suggestion"),
    pytest.param("FROM a\n\\\n", 2, "unknown instruction: ", id="lone-escape-at-end-of-file"),
    pytest.param("FROM\n", 1, "FROM requires either one or three arguments", id="from-no-args"),
    pytest.param("FROM a AS\n", 1, "FROM requires either one or three arguments", id="from-two-args"),
    pytest.param("FROM a b c\n", 1, "FROM requires either one or three arguments", id="from-not-as"),
    pytest.param("FROM a AS 1st\n",
                 1, 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
                 id="stage-name-digit"),
    pytest.param("FROM a AS x\nFROM b AS X\n",
                 2, "Duplicate stage name 'x', stage names should be unique", id="duplicate-stage"),
    pytest.param("FROM a\nENV\n", 2, "ENV requires at least one argument", id="env-empty"),
    pytest.param("FROM a\nENV FOO\n", 2, "ENV must have two arguments", id="env-no-value"),
    pytest.param("FROM a\nENV =x\n", 2, "ENV names can not be blank", id="env-blank-name"),
    pytest.param("FROM a\nENV A=1 B\n",
                 2, "Syntax error - can't find = in \"B\". Must be of the form: name=value",
                 id="env-mixed-forms"),
    pytest.param("FROM a\nLABEL\n", 2, "LABEL requires at least one argument", id="label-empty"),
    pytest.param("FROM a\nLABEL x\n", 2, "LABEL must have two arguments", id="label-no-value"),
    pytest.param("FROM a\nARG\n", 2, "ARG requires at least one argument", id="arg-empty"),
    pytest.param("FROM a\nARG =1\n", 2, "ARG names can not be blank", id="arg-blank-name"),
    pytest.param("FROM a\nCOPY onlyone\n",
                 2, "COPY requires at least two arguments, but only one was provided. "
                 "Destination could not be determined", id="copy-one-arg"),
    pytest.param("FROM a\nADD x\n",
                 2, "ADD requires at least two arguments, but only one was provided. "
                 "Destination could not be determined", id="add-one-arg"),
    pytest.param("FROM a\nCOPY x <<EOF\nbody\nEOF\n", 2, "COPY cannot accept a heredoc as a destination",
                 id="heredoc-destination"),
    pytest.param("FROM a\nCOPY --frm=b x y\n", 2, "unknown flag: --frm (did you mean from?)",
                 id="unknown-flag-suggested"),
    pytest.param("FROM a\nCOPY --mount=x a b\n", 2, "unknown flag: --mount", id="flag-of-another-keyword"),
    pytest.param("FROM a\nENV --x=1 A=1\n", 2, "unknown flag: --x", id="env-takes-no-flag"),
    pytest.param("FROM a\nCOPY --from x y\n", 2, "missing a value on flag: --from", id="flag-no-value"),
    pytest.param("FROM a\nCOPY --link= x y\n", 2, "missing a value on flag: --link", id="bool-empty"),
    pytest.param("FROM a\nCOPY --link=yes x y\n", 2, "expecting boolean value for flag --link, not: yes",
                 id="bool-not-boolean"),
    pytest.param("FROM a\nCOPY --from=a --from=b x y\n", 2, "duplicate flag specified: --from",
                 id="duplicate-flag"),
    pytest.param("FROM a\nRUN --network=bridge make\n", 2, 'invalid network mode "bridge"',
                 id="network-mode"),
    pytest.param("FROM a\nRUN --security=privileged make\n", 2, 'security "privileged" is not valid',
                 id="security-mode"),
    pytest.param("FROM a\nCMD [\"a\", 1]\n",
                 2, "when using JSON array syntax, arrays must be comprised of strings only",
                 id="json-not-strings"),
    pytest.param("FROM a\nSHELL /bin/sh -c\n", 2, "SHELL requires the arguments to be in JSON form",
                 id="shell-not-json"),
    pytest.param("FROM a\nSHELL []\n", 2, "SHELL requires at least one argument", id="shell-empty"),
    pytest.param("FROM a\nWORKDIR\n", 2, "WORKDIR requires exactly one argument", id="workdir-empty"),
    pytest.param("FROM a\nUSER\n", 2, "USER requires exactly one argument", id="user-empty"),
    pytest.param("FROM a\nSTOPSIGNAL\n", 2, "STOPSIGNAL requires exactly one argument", id="stopsignal"),
    pytest.param("FROM a\nMAINTAINER\n", 2, "MAINTAINER requires exactly one argument", id="maintainer"),
    pytest.param("FROM a\nEXPOSE\n", 2, "EXPOSE requires at least one argument", id="expose-empty"),
    pytest.param("FROM a\nVOLUME\n", 2, "VOLUME requires at least one argument", id="volume-empty"),
    pytest.param('FROM a\nVOLUME ["/a", " "]\n', 2, "VOLUME specified can not be an empty string",
                 id="volume-blank"),
    pytest.param("FROM a\nONBUILD\n", 2, "ONBUILD requires at least one argument", id="onbuild-empty"),
    pytest.param("FROM a\nONBUILD ONBUILD RUN x\n",
                 2, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", id="onbuild-onbuild"),
    pytest.param("FROM a\nONBUILD FROM b\n", 2, "FROM isn't allowed as an ONBUILD trigger",
                 id="onbuild-from"),
    pytest.param("FROM a\nonbuild maintainer me\n", 2, "MAINTAINER isn't allowed as an ONBUILD trigger",
                 id="onbuild-maintainer"),
    pytest.param("FROM a\nHEALTHCHECK\n", 2, "HEALTHCHECK requires at least one argument",
                 id="healthcheck-empty"),
    pytest.param("FROM a\nHEALTHCHECK NONE x\n", 2, "HEALTHCHECK NONE takes no arguments",
                 id="healthcheck-none-args"),
    pytest.param("FROM a\nHEALTHCHECK CURL x\n", 2, 'Unknown type "CURL" in HEALTHCHECK (try CMD)',
                 id="healthcheck-type"),
    pytest.param("FROM a\nHEALTHCHECK CMD\n", 2, "Missing command after HEALTHCHECK CMD",
                 id="healthcheck-no-command"),
    pytest.param("FROM a\nHEALTHCHECK --interval=5 CMD x\n", 2, 'time: missing unit in duration "5"',
                 id="duration-unit-missing"),
    pytest.param("FROM a\nHEALTHCHECK --timeout=5y CMD x\n",
                 2, 'time: unknown unit "y" in duration "5y"', id="duration-unit-unknown"),
    pytest.param("FROM a\nHEALTHCHECK --timeout=abc CMD x\n", 2, 'time: invalid duration "abc"',
                 id="duration-invalid"),
    pytest.param("FROM a\nHEALTHCHECK --interval=10us CMD x\n",
                 2, 'Interval "interval" cannot be less than 1ms', id="duration-too-short"),
    pytest.param("FROM a\nHEALTHCHECK --retries=-1 CMD x\n", 2, "--retries cannot be negative (-1)",
                 id="retries-negative"),
    pytest.param("FROM a\nHEALTHCHECK --retries=two CMD x\n",
                 2, 'strconv.ParseInt: parsing "two": invalid syntax', id="retries-not-a-number"),
    pytest.param("FROM a\nRUN <<EOF\necho\n", 2, "unterminated heredoc", id="unterminated-heredoc"),
    pytest.param("# escape=x\nFROM a\n", 1, "invalid escape token 'x' does not match ` or \\",
                 id="bad-escape-token"),
    pytest.param("# escape=`\n# escape=`\nFROM a\n", 2, "only one escape parser directive can be used",
                 id="duplicate-directive"),
    pytest.param("FROM a\nRUUN x\nCMD [1]\n",
                 3, "when using JSON array syntax, arrays must be comprised of strings only",
                 id="line-syntax-is-checked-before-instructions"),
]


@pytest.mark.parametrize("text, line, reason", ERRORS)
def test_errors_read_like_buildkit(text, line, reason):
    with pytest.raises(DockerfileError) as caught:
        parse_dockerfile(text)
    error = caught.value
    assert (error.filename, error.line, error.reason) == ("Dockerfile", line, reason)
    assert str(error) == (f"Dockerfile: {reason}" if line is None else f"Dockerfile:{line}: {reason}")


def test_error_carries_file_line_reason_and_source():
    with pytest.raises(DockerfileError) as caught:
        parse_dockerfile("FROM a\nRUN ok\nCOPY --chown=1 \\\n  onlyone\n", filename="app/Dockerfile.dev")
    error = caught.value
    assert isinstance(error, LayerlabError)
    assert (error.filename, error.line) == ("app/Dockerfile.dev", 3)
    assert error.reason.startswith("COPY requires at least two arguments")
    assert str(error).startswith("app/Dockerfile.dev:3: COPY requires")
    assert error.source == "COPY --chown=1 \\\n  onlyone"


# --- Variable substitution, as BuildKit's shell lexer: (word, env, expected) --------------------

ENV = {"NAME": "app", "EMPTY": "", "PATH": "/usr/bin", "FILE": "dir/archive.tar.gz", "SPACED": "a  b"}

EXPANSIONS = [
    pytest.param("$NAME", "app", id="dollar-name"),
    pytest.param("${NAME}-x", "app-x", id="braces"),
    pytest.param("$NAMEx", "", id="name-runs-on"),
    pytest.param("$UNSET", "", id="unset-is-empty"),
    pytest.param("${UNSET:-def}|${EMPTY:-def}|${NAME:-def}", "def|def|app", id="colon-dash"),
    pytest.param("${UNSET-def}|${EMPTY-def}|${NAME-def}", "def||app", id="dash"),
    pytest.param("${UNSET:+alt}|${EMPTY:+alt}|${NAME:+alt}", "||alt", id="colon-plus"),
    pytest.param("${UNSET+alt}|${EMPTY+alt}|${NAME+alt}", "|alt|alt", id="plus"),
    pytest.param("${EMPTY?msg}|${NAME:?msg}", "|app", id="question-when-set"),
    pytest.param("${UNSET:-$NAME/x}", "app/x", id="nested-default"),
    pytest.param("${UNSET:-\"a b\"}", "a b", id="quoted-default"),
    pytest.param("'$NAME'", "$NAME", id="single-quotes-suppress"),
    pytest.param('"$NAME is ${NAME}"', "app is app", id="double-quotes-expand"),
    pytest.param("\\$NAME", "$NAME", id="escaped-dollar"),
    pytest.param('"\\$NAME \\" \\\\ \\n"', '$NAME " \\ \\n', id="escapes-inside-double-quotes"),
    pytest.param("a\\ b\\", "a b", id="escape-outside-quotes"),
    pytest.param("$ $. ${NAME}$", "$ $. app$", id="lone-dollars"),
    pytest.param("$1$@", "", id="positional-and-special"),
    pytest.param("${FILE#*/}", "archive.tar.gz", id="remove-shortest-prefix"),
    pytest.param("${FILE##*.}", "gz", id="remove-longest-prefix"),
    pytest.param("${FILE%.*}", "dir/archive.tar", id="remove-shortest-suffix"),
    pytest.param("${FILE%%.*}", "dir/archive", id="remove-longest-suffix"),
    pytest.param("${PATH/usr/opt}", "/opt/bin", id="replace-first"),
    pytest.param("${FILE//a/A}", "dir/Archive.tAr.gz", id="replace-all"),
    pytest.param("$SPACED", "a  b", id="word-keeps-spaces"),
]


@pytest.mark.parametrize("word, expected", EXPANSIONS)
def test_expand(word, expected):
    assert expand(word, ENV) == expected


def test_expand_with_backtick_escape():
    assert expand("`$NAME `` x", ENV, escape="`") == "$NAME ` x"


EXPANSION_ERRORS = [
    pytest.param("${UNSET?}", 'failed to process "${UNSET?}": UNSET: is not allowed to be unset', id="unset"),
    pytest.param("${EMPTY:?}", 'failed to process "${EMPTY:?}": EMPTY: is not allowed to be empty', id="empty"),
    pytest.param("${UNSET:?set it with --build-arg}",
                 'failed to process "${UNSET:?set it with --build-arg}": UNSET: set it with --build-arg',
                 id="custom-message"),
    pytest.param("${NAME", "failed to process \"${NAME\": syntax error: missing '}'", id="missing-brace"),
    pytest.param("${}", 'failed to process "${}": syntax error: bad substitution', id="bad-substitution"),
    pytest.param("${NAME=x}", 'failed to process "${NAME=x}": unsupported modifier (=) in substitution',
                 id="unsupported-modifier"),
    pytest.param("'open", "failed to process \"'open\": "
                 "unexpected end of statement while looking for matching single-quote", id="open-single-quote"),
    pytest.param('"open', 'failed to process "\\"open": '
                 "unexpected end of statement while looking for matching double-quote", id="open-double-quote"),
]


@pytest.mark.parametrize("word, message", EXPANSION_ERRORS)
def test_expand_errors(word, message):
    with pytest.raises(DockerfileError) as caught:
        expand(word, ENV)
    assert str(caught.value) == message


STRICT = [
    pytest.param("$UNSET", True, id="bare"),
    pytest.param("${UNSET}", True, id="braces"),
    pytest.param("${UNSET%x}", True, id="trim"),
    pytest.param("${UNSET:-d}", False, id="default-allows-unset"),
    pytest.param("${UNSET+d}", False, id="alternative-allows-unset"),
    pytest.param("$EMPTY", False, id="empty-is-set"),
]


@pytest.mark.parametrize("word, refused", STRICT)
def test_strict_unset(word, refused):
    if refused:
        with pytest.raises(DockerfileError, match=r"Usage of undefined variable '\$UNSET'"):
            expand(word, ENV, strict_unset=True)
    else:
        expand(word, ENV, strict_unset=True)


WORDS = [
    pytest.param("a b   c", ["a", "b", "c"], id="spaces"),
    pytest.param('echo "a b" \'c d\'', ["echo", "a b", "c d"], id="quotes-keep-words"),
    pytest.param("x $SPACED y", ["x", "a", "b", "y"], id="variable-splits"),
    pytest.param('"$SPACED"', ["a  b"], id="quoted-variable-does-not-split"),
    pytest.param("a $EMPTY b", ["a", "b"], id="empty-variable-vanishes"),
    pytest.param('a "" b', ["a", "b"], id="empty-quotes-vanish"),
    pytest.param("a\\ b c", ["a b", "c"], id="escaped-space"),
    pytest.param("80/tcp ${PORTS:-443 8443}", ["80/tcp", "443", "8443"], id="expose-style"),
]


@pytest.mark.parametrize("text, words", WORDS)
def test_expand_words(text, words):
    assert expand_words(text, ENV) == words


# --- The module's constants and values ---------------------------------------------------------

def test_keywords_are_buildkits_eighteen_instructions():
    assert KEYWORDS == ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
                        "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")


def test_expands_lists_the_keywords_buildkit_substitutes_in():
    assert EXPANDS == {"ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME",
                       "WORKDIR"}
    assert not EXPANDS & {"RUN", "CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK", "ONBUILD", "MAINTAINER"}


def test_parsed_values_are_frozen():
    df = parse_dockerfile(SEED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        df.instructions[0].keyword = "RUN"
    with pytest.raises(TypeError):
        df.directives["escape"] = "`"


# --- Properties --------------------------------------------------------------------------------

PIECES = st.sampled_from([
    "FROM a", "from b AS x", "RUN echo hi", "RUN <<EOF", "EOF", "COPY a b", "COPY <<-X /d", "\tX", "ENV A=1",
    "ENV A", "ARG V", "CMD [\"a\"]", "CMD [1]", "ONBUILD RUN x", "# escape=`", "# c", "", " \\", "`", "\\",
    "  && more", "LABEL 'a'=\"b c\"", "HEALTHCHECK --interval=1s CMD x", "RUUN", "--x", "\"", "'", "${A:-b}",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_any_text_parses_or_fails_with_a_dockerfile_error(pieces, newline):
    try:
        df = parse_dockerfile(newline.join(pieces))
    except DockerfileError as error:
        assert error.filename == "Dockerfile"
        return
    assert [i.line for i in df.instructions] == sorted(i.line for i in df.instructions)
    assert all(i.line <= i.end_line for i in df.instructions)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="$ {}:-+?#%/'\"\\`aAB_1.*", max_size=20))
def test_expand_returns_a_string_or_a_dockerfile_error(word):
    try:
        assert isinstance(expand(word, {"A": "x y", "B": ""}), str)
    except DockerfileError as error:
        assert str(error).startswith("failed to process ")
