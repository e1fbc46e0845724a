""".dockerignore reading and matching against moby/patternmatcher: each row states patterns, a path and the verdict."""

from __future__ import annotations

import pytest

from layerlab.errors import DockerfileError
from layerlab.image.dockerignore import DockerIgnore, Pattern, read_dockerignore

# --- Reading the file: (.dockerignore text, [(pattern, exclusion, line)]) ---------------------

READING = [
    pytest.param("test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n",
                 [("test1", False, 1), ("test2", False, 2), ("a/file/here", False, 3), ("lastfile", False, 5),
                  ("inverted/abs/path", True, 7)], id="ignorefile-readall-example"),
    pytest.param("  spaced  \n\t# tab then hash is a pattern\n", [("spaced", False, 1), ("# tab then hash is a pattern",
                 False, 2)], id="only-first-column-hash-comments"),
    pytest.param("a/./b//c/\nx/../y\n/\n", [("a/b/c", False, 1), ("y", False, 2), ("/", False, 3)], id="cleaned"),
    pytest.param("\ufeff*.log\r\n!important.log\r\n", [("*.log", False, 1), ("important.log", True, 2)],
                 id="bom-and-crlf"),
    pytest.param("# nothing\n\n   \n", [], id="nothing"),
]


@pytest.mark.parametrize("text, expected", READING)
def test_read_dockerignore(text, expected):
    assert [(p.text, p.exclusion, p.line) for p in read_dockerignore(text)] == expected


# --- One pattern, one path: (pattern, path, excluded) — patternmatcher's own table -------------

SINGLE = [
    pytest.param("*", "fileutils.go", True, id="star"),
    pytest.param("*.go", "fileutils.go", True, id="star-suffix"),
    pytest.param("*.go", "pkg/fileutils.go", False, id="star-stays-in-its-directory"),
    pytest.param("**", "dir/file", True, id="double-star"),
    pytest.param("**/", "file", True, id="double-star-slash"),
    pytest.param("**/**", "dir/file", True, id="double-star-twice"),
    pytest.param("dir/**", "dir/file", True, id="dir-double-star"),
    pytest.param("dir/**", "dir/dir2/file", True, id="dir-double-star-deep"),
    pytest.param("abc/**", "abc", False, id="dir-double-star-not-the-dir"),
    pytest.param("**/dir", "dir", True, id="leading-double-star-zero-dirs"),
    pytest.param("**/dir", "dir/file", True, id="leading-double-star-parent"),
    pytest.param("**/dir2/*", "dir/dir2/file", True, id="double-star-then-star"),
    pytest.param("**/dir2/**", "dir/dir2/dir3/file", True, id="double-star-both-ends"),
    pytest.param("**file", "dir/dir/file", True, id="double-star-glued"),
    pytest.param("**/file*.txt", "dir/dir/file.txt", True, id="double-star-file-star"),
    pytest.param("**/**/*.txt2", "dir/dir/file.txt", False, id="double-star-wrong-ext"),
    pytest.param("**/*.txt", "file.txt", True, id="double-star-top-level"),
    pytest.param("a**/*.txt", "a/dir/dir/file.txt", True, id="a-double-star"),
    pytest.param("a/*.txt", "a/dir/file.txt", False, id="star-no-slash"),
    pytest.param("a/*.txt**", "a/file.txt", True, id="trailing-double-star"),
    pytest.param("a[b-d]e", "ace", True, id="range"),
    pytest.param("a[b-d]e", "aae", False, id="range-miss"),
    pytest.param("a[^b-d]e", "aze", True, id="negated-range"),
    pytest.param("ab[^c]", "abc", False, id="negated-miss"),
    pytest.param("[\\]a]", "]", True, id="escaped-bracket-in-class"),
    pytest.param("[x\\-]", "-", True, id="escaped-dash-in-class"),
    pytest.param("[a-ζ]*", "α", True, id="unicode-range"),
    pytest.param(".*", ".foo", True, id="dot-is-literal"),
    pytest.param(".*", "foo", False, id="dot-is-not-any"),
    pytest.param("abc?def", "abcZdef", True, id="question"),
    pytest.param("abc?def", "abcdef", False, id="question-needs-one"),
    pytest.param("a?b", "a/b", False, id="question-not-slash"),
    pytest.param("a\\*b", "a*b", True, id="escaped-star"),
    pytest.param("a\\*b", "ab", False, id="escaped-star-is-literal"),
    pytest.param("a\\\\", "a\\", True, id="escaped-backslash"),
    pytest.param("a(b)c/def", "a(b)c/def", True, id="regex-chars-literal"),
    pytest.param("a.|)$(}+{bc", "a.|)$(}+{bc", True, id="more-regex-chars-literal"),
    pytest.param("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True, id="plus-in-name"),
    pytest.param("**/.foo", "bar.foo", False, id="suffix-needs-slash"),
    pytest.param("docs", "docs/img/logo.png", True, id="directory-excludes-contents"),
    pytest.param("docs/", "docs/README.md", True, id="trailing-slash-cleaned"),
    pytest.param("node_modules", "src/node_modules/x", False, id="anchored-at-root"),
    pytest.param("*.md", ".", False, id="root-never-excluded"),
]


@pytest.mark.parametrize("pattern, path, excluded", SINGLE)
def test_one_pattern(pattern, path, excluded):
    assert DockerIgnore([pattern]).matches(path) is excluded


# --- Several patterns: the last matching one wins (patterns, path, excluded) -----------------

SEVERAL = [
    pytest.param(["*.go", "!fileutils.go"], "fileutils.go", False, id="exception-after"),
    pytest.param(["!fileutils.go", "*.go"], "fileutils.go", True, id="exception-before"),
    pytest.param(["docs", "!docs/README.md"], "docs/README.md", False, id="reinclude-in-excluded-dir"),
    pytest.param(["docs/*", "!docs/README.md"], "docs/README.md", False, id="reinclude-after-star"),
    pytest.param(["docs", "!docs/README.md"], "docs/other.md", True, id="rest-of-dir-still-excluded"),
    pytest.param(["**", "!util/docker/web"], "util/docker/web/foo", False, id="reinclude-dir-contents"),
    pytest.param(["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True,
                 id="excluded-again"),
    pytest.param(["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False,
                 id="reinclude-by-glob"),
    pytest.param(["*", "!Dockerfile", "!src"], "src/main.go", False, id="allow-list"),
    pytest.param(["*", "!Dockerfile", "!src"], "README.md", True, id="allow-list-rest"),
    pytest.param([], "anything", False, id="no-patterns"),
    pytest.param(["", "   ", "x"], "x", True, id="blank-patterns-skipped"),
]


@pytest.mark.parametrize("patterns, path, excluded", SEVERAL)
def test_last_matching_pattern_wins(patterns, path, excluded):
    assert DockerIgnore(patterns).matches(path) is excluded


PATHS = [
    pytest.param("./docs/x", True, id="dot-slash"),
    pytest.param("/docs/x", True, id="leading-slash"),
    pytest.param("src/../docs/x", True, id="dot-dot"),
    pytest.param("docs//x/", True, id="double-slash-trailing-slash"),
    pytest.param("src/docs", False, id="other-dir"),
]


@pytest.mark.parametrize("path, excluded", PATHS)
def test_paths_are_cleaned_before_matching(path, excluded):
    assert DockerIgnore(read_dockerignore("docs\n")).matches(path) is excluded


def test_from_a_file():
    ignore = DockerIgnore(read_dockerignore("# secrets\n.git\n*.env\n!example.env\n**/*.pyc\nbuild/**\n"))
    verdicts = {path: ignore.matches(path) for path in (
        ".git/config", "prod.env", "example.env", "app/cache/m.pyc", "build/out/app", "build", "app/main.py")}
    assert verdicts == {".git/config": True, "prod.env": True, "example.env": False, "app/cache/m.pyc": True,
                        "build/out/app": True, "build": False, "app/main.py": False}


# --- Malformed patterns: (.dockerignore text, message) ----------------------------------------

MALFORMED = [
    pytest.param("!\n", '.dockerignore:1: illegal exclusion pattern: "!"', id="lone-bang"),
    pytest.param("ok\n! \n", '.dockerignore:2: illegal exclusion pattern: "!"', id="bang-space"),
    pytest.param("[\n", '.dockerignore:1: syntax error in pattern "["', id="open-bracket"),
    pytest.param("a[\n", '.dockerignore:1: syntax error in pattern "a["', id="open-bracket-late"),
    pytest.param("[^bc\n", '.dockerignore:1: syntax error in pattern "[^bc"', id="unclosed-class"),
    pytest.param("[]a]\n", '.dockerignore:1: syntax error in pattern "[]a]"', id="empty-class"),
    pytest.param("[-x]\n", '.dockerignore:1: syntax error in pattern "[-x]"', id="leading-dash"),
    pytest.param("[x-]\n", '.dockerignore:1: syntax error in pattern "[x-]"', id="trailing-dash"),
    pytest.param("[a-b-c]\n", '.dockerignore:1: syntax error in pattern "[a-b-c]"', id="double-range"),
    pytest.param("x\\\n", '.dockerignore:1: syntax error in pattern "x\\"', id="trailing-backslash"),
    pytest.param("fine\n[z-a]\n", '.dockerignore:2: syntax error in pattern "[z-a]"', id="reversed-range"),
]


@pytest.mark.parametrize("text, message", MALFORMED)
def test_malformed_patterns(text, message):
    with pytest.raises(DockerfileError) as caught:
        read_dockerignore(text)
    assert str(caught.value) == message
    assert (caught.value.filename, caught.value.line) == (".dockerignore", int(message.split(":")[1]))


def test_malformed_pattern_given_directly_names_the_pattern():
    with pytest.raises(DockerfileError, match=r'^syntax error in pattern "src/\["$'):
        DockerIgnore(["src/["])


def test_patterns_are_values():
    assert Pattern.parse("!docs/") == Pattern("docs", exclusion=True)
    assert repr(DockerIgnore(["a", "!b"])) == "DockerIgnore(['a', '!b'])"
