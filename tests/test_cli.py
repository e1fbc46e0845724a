"""The `layerlab` command: inspect (report, --tree, --json, CI thresholds, progress), build, --version."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from layerlab import Engine, __version__, load_image
from layerlab.cli import ProgressBar, main

SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
RUN_SH = "#!/bin/sh\necho 'hello from run.sh' > /data/out\n"
WASTE = "FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=30 2>/dev/null\nRUN rm /big\n"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv, stderr=None):
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("images")
    eng = Engine()
    eng.build("FROM busybox\nRUN echo hi > /greeting\n", tag="tidy")
    eng.build(WASTE, tag="waste")
    eng.save("tidy", d / "tidy.tar")
    eng.save("waste", d / "waste.tar")
    eng.save("waste", d / "waste-oci", format="oci-dir")
    eng.save(["tidy", "waste"], d / "both.tar")
    (d / "notes.txt").write_text("not an image\n")
    return d


@pytest.mark.parametrize("args, code, says", [
    (["tidy.tar"], 0, "Efficiency:           100.0000 %"),
    (["waste.tar"], 0, "31.5MB   /big"),
    (["waste-oci"], 0, "Format:  oci-dir"),
    (["tidy.tar", "--lowest-efficiency", "0.95"], 0, "PASS: lowestEfficiency"),
    (["waste.tar", "--lowest-efficiency", "0.95"], 1, "FAIL: lowestEfficiency: image efficiency is too low"),
    (["waste.tar", "--lowest-efficiency", "95%"], 1, "Result: FAIL"),
    (["waste.tar", "--highest-wasted-bytes", "20MB"], 1, "too many bytes wasted (wasted-bytes=31457280"),
    (["waste.tar", "--highest-wasted-bytes", "32MB"], 0, "PASS: highestWastedBytes"),
    (["waste.tar", "--highest-wasted-bytes", "29MiB"], 1, "threshold=30408704"),
    (["waste.tar", "--highest-wasted-bytes", "30MiB"], 0, "PASS: highestWastedBytes"),
    (["waste.tar", "--highest-user-wasted-percent", "0.1"], 1, "FAIL: highestUserWastedPercent"),
    (["tidy.tar", "--highest-user-wasted-percent", "0.1"], 0, "PASS: highestUserWastedPercent"),
    (["both.tar", "--ref", "waste"], 0, "Tags:    waste:latest"),
], ids=["tidy", "waste-table", "oci-dir", "ci-pass", "ci-efficiency", "ci-percent-syntax", "ci-wasted-bytes",
        "ci-wasted-bytes-pass", "ci-iec-units", "ci-exactly-at-the-threshold-passes", "ci-user-percent",
        "ci-user-percent-pass", "ref"])
def test_inspect_reports_and_ci_thresholds(images, args, code, says):
    got, out, err = run("inspect", images / args[0], *args[1:])
    assert got == code, err
    assert says in out
    if code == 1:
        assert err.startswith("layerlab: CI failed: ")


@pytest.mark.parametrize("args, says", [
    (["nope.tar"], "nope.tar: no such file or directory"),
    (["notes.txt"], "not a readable tar archive"),
    (["both.tar"], "holds 2 images"),
    (["both.tar", "--ref", "nothing"], "no image tagged 'nothing'"),
], ids=["missing", "not-an-image", "several-images", "unknown-ref"])
def test_bad_input_is_one_line_and_exit_2(images, args, says, monkeypatch):
    monkeypatch.chdir(images)
    code, out, err = run("inspect", *args)
    assert (code, out) == (2, "")
    assert err.startswith("layerlab: error: ") and err.count("\n") == 1 and says in err
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [["--highest-wasted-bytes", "20XB"], ["--lowest-efficiency", "high"]])
def test_bad_thresholds_are_usage_errors(images, args):
    code, out, err = run("inspect", images / "tidy.tar", *args)
    assert code == 2 and "error: argument" in err


def test_json_prints_the_same_data(images):
    code, out, _ = run("inspect", images / "waste.tar", "--json", "--tree", "--lowest-efficiency", "0.9")
    data = json.loads(out)
    assert code == 1
    assert data["wasted_bytes"] == 31457280 and data["wasted"][0]["path"] == "/big"
    assert data["ci"]["passed"] is False and data["ci"]["rules"][0]["rule"] == "lowestEfficiency"
    assert any(row["path"] == "/bin/sh" for row in data["tree"])
    assert [layer["index"] for layer in data["layers"]] == [0, 1, 2]


def test_tree_prints_sizes_and_layers(images):
    code, out, _ = run("inspect", images / "tidy.tar", "--tree")
    assert code == 0
    tree = out.split("\nTree\n", 1)[1]
    assert tree.splitlines()[0].split() == ["SIZE", "LAYER", "PATH"]
    assert any(line.endswith("── greeting") and " 1 " in line for line in tree.splitlines())


@pytest.mark.parametrize("stream, flag, shown", [
    (io.StringIO(), [], False), (io.StringIO(), ["--progress"], True), (Tty(), [], True),
    (Tty(), ["--no-progress"], False)], ids=["pipe", "forced", "tty", "tty-off"])
def test_progress_bar_only_on_a_tty_or_when_asked(images, stream, flag, shown):
    code, _, err = run("inspect", images / "waste.tar", *flag, stderr=stream)
    assert code == 0
    assert ("\r" in err and "Analyzing layers [" in err and "3/3" in err) == shown


def test_progress_bar_redraws_in_place():
    s = io.StringIO()
    bar = ProgressBar(s, width=10)
    bar.start("Reading a long name ...")
    bar(1, 2, "layer 0")
    bar.close()
    assert s.getvalue() == ("\rReading a long name ...\rAnalyzing layers [#####.....] 1/2 layer 0"
                            + "\n")


def test_build_prints_the_log_and_saves(tmp_path):
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(SEED.replace("ubuntu:14.04", "busybox"))   # busybox: a small tar to save
    (ctx / "run.sh").write_text(RUN_SH)
    out_tar = tmp_path / "seed.tar"
    code, out, err = run("build", "-f", ctx / "Dockerfile", ctx, "-t", "seed", "-o", out_tar)
    assert (code, err) == (0, "")
    assert "#3 [2/2] ADD run.sh /" in out and "writing image sha256:" in out
    img = load_image(out_tar)
    assert img.rootfs.read("/run.sh") == RUN_SH.encode() and img.config.cmd == ("./run.sh",)


@pytest.mark.parametrize("profile, says", [("classic", "Step 2/4 : ADD run.sh /"), ("docker-2015", "Step 4/4"),
                                           ("buildkit", "#1 [internal] load build definition from Dockerfile")])
def test_build_profiles(tmp_path, profile, says):
    (tmp_path / "Dockerfile").write_text(SEED)
    (tmp_path / "run.sh").write_text(RUN_SH)
    code, out, _ = run("build", tmp_path, "--profile", profile)
    assert code == 0 and says in out


def test_build_args_and_target(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM busybox AS one\nARG WHO=nobody\nRUN echo $WHO > /who\n"
                                         "FROM one AS two\nRUN false\n")
    code, out, err = run("build", tmp_path, "--target", "one", "--build-arg", "WHO=me", "-o", tmp_path / "x.tar")
    assert code == 0, err
    assert load_image(tmp_path / "x.tar").rootfs.read("/who") == b"me\n"


@pytest.mark.parametrize("dockerfile, code, says", [
    ("FROM busybox\nRUN false\n", 1, "did not complete successfully: exit code: 1"),
    ("FROM busybox\nFOO bar\n", 1, "unknown instruction: FOO"),
], ids=["failing-run", "bad-dockerfile"])
def test_build_failures(tmp_path, dockerfile, code, says):
    (tmp_path / "Dockerfile").write_text(dockerfile)
    got, out, err = run("build", tmp_path)
    assert got == code and says in err and "Traceback" not in err


@pytest.mark.parametrize("args, says", [(["nodir"], "nodir: no such directory"),
                                        (["-f", "missing/Dockerfile", "."], "cannot read the Dockerfile")])
def test_build_bad_input(tmp_path, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    code, _, err = run("build", *args)
    assert code == 2 and says in err and err.count("\n") == 1


def test_version_and_python_m():
    code, out, _ = run("--version")
    assert code == 0
    done = subprocess.run([sys.executable, "-m", "layerlab", "--version"], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, f"layerlab {__version__}\n")


def test_no_command_is_a_usage_error():
    code, _, err = run()
    assert code == 2 and "give a command" in err
