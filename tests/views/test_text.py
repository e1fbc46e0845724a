"""Text views: exact output for small hand-made models, and the seed scenario's stack and tree."""

from __future__ import annotations

import subprocess
import sys

import pytest

from layerlab import SCRATCH
from layerlab.views import text as T
from layerlab.views.summary import find_base, short_digest, short_instruction

from .models import many_layer_image, tiny_container, tiny_image, whiteout_image


def d(layer) -> str:
    return short_digest(layer.diff_id)


# -- the layer stack ---------------------------------------------------------------------------------------------
def test_layer_stack_of_an_image_lists_layers_top_first_and_marks_config_steps():
    img = tiny_image()
    assert str(T.layer_stack(img)) == f"""\
LAYER   CREATED BY                    SIZE   DIFF ID        CONTENT
-       CMD ["/app/run.sh"]           0B     empty_layer    config only (Cmd)
L1      COPY run.sh /app/             8B     {d(img.layers[1])}   1 file
L0      ADD file:abababababab… in /   12B    {d(img.layers[0])}   3 files"""


def test_layer_stack_of_a_container_adds_the_read_write_and_init_layers():
    c = tiny_container()
    layers = c.image.layers
    assert str(T.layer_stack(c)) == f"""\
LAYER   CREATED BY                    SIZE   DIFF ID        CONTENT
rw      (read-write layer)            9B     -              2 added, 1 copied up, 1 whiteout
init    (init layer)                  12B    -              6 files
-       CMD ["/app/run.sh"]           0B     empty_layer    config only (Cmd)
L1      COPY run.sh /app/             8B     {d(layers[1])}   1 file
L0      ADD file:abababababab… in /   12B    {d(layers[0])}   3 files"""


def test_layer_stack_counts_whiteouts_and_opaque_dirs():
    img = whiteout_image()
    assert str(T.layer_stack(img, width=20)) == f"""\
LAYER   CREATED BY             SIZE   DIFF ID        CONTENT
L1      RUN rm /etc/motd &&…   2B     {d(img.layers[1])}   1 file, 1 whiteout, 1 opaque dir
L0      ADD base.tar /         2kB    {d(img.layers[0])}   3 files"""


def test_layer_stack_rows_carry_the_full_values_for_widgets():
    row = T.layer_stack(tiny_image())[1]
    assert row["layer"] == "L1" and row["size"] == 8 and row["diff_id"].startswith("sha256:")


def test_layer_stack_of_the_empty_image_is_just_the_header():
    assert str(T.layer_stack(SCRATCH)) == "LAYER   CREATED BY   SIZE   DIFF ID   CONTENT"


def test_seed_container_stack_folds_the_base_image_when_asked(seed):
    eng, img, c = seed
    lines = str(T.layer_stack(c, base="auto", engine=eng)).splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["rw", "init", "-", "-", "L4", "base"]
    assert lines[5].split()[1:5] == ["ADD", "run.sh", "/", "30B"] and d(img.layers[4]) in lines[5]
    assert "FROM ubuntu:14.04" in lines[6] and "base image: 4 layers + 1 config step" in lines[6]
    assert "2 added, 1 whiteout" in lines[1]


# -- short instructions and the base image -------------------------------------------------------------------
@pytest.mark.parametrize("created_by, shown", [
    ('/bin/sh -c #(nop)  CMD ["/bin/bash"]', 'CMD ["/bin/bash"]'),
    ("/bin/sh -c #(nop) WORKDIR /app", "WORKDIR /app"),
    ("/bin/sh -c apt-get update &&\tapt-get install -y curl", "RUN apt-get update && apt-get install -y curl"),
    ("RUN /bin/sh -c make # buildkit", "RUN make"),
    ("COPY . /src # buildkit", "COPY . /src"),
    ("|1 VERSION=2 /bin/sh -c echo $VERSION", "RUN echo $VERSION"),
    ("ADD multi:" + "0f" * 32 + " in /", "ADD multi:0f0f0f0f0f0f… in /"),
], ids=["cmd", "workdir", "classic-run", "buildkit-run", "buildkit-copy", "build-arg", "digest"])
def test_short_instruction_reads_like_the_dockerfile(created_by, shown):
    assert short_instruction(created_by) == shown


def test_the_base_is_found_from_the_engine_or_the_catalog(seed, seed_2015):
    eng, img, _ = seed
    assert find_base(img).name == "ubuntu:14.04" and find_base(img, eng).name == "ubuntu:14.04"
    assert (find_base(img).layers, find_base(img).history) == (4, 5)
    assert find_base(seed_2015, eng).name == "ubuntu:14.04"
    assert find_base(eng.resolve_image("ubuntu:14.04")) is None, "an image is not its own base"
    assert find_base(img, base=None) is None


# -- the merged tree -------------------------------------------------------------------------------------------
def test_merged_tree_names_the_layer_that_supplies_each_path():
    assert T.merged_tree(tiny_image()) == """\
/
├── app/        L1
│   └── run.sh  L1
├── bin/        L0
│   └── sh      L0
└── etc/        L0
    ├── issue   L0
    └── motd    L0

L0    ADD file:abababababab… in /
L1    COPY run.sh /app/"""


def test_merged_tree_changes_shows_whiteouts_and_opaque_directories():
    assert T.merged_tree(whiteout_image(), changes=True, legend=False) == """\
/
├── etc/          L0
│   └── motd      ✗ whiteout in L1 (etc/.wh.motd), hides L0's copy
├── opt/          L1  opaque in L1: lower children hidden
│   └── new       L1
└── usr/          L0
    └── bin/      L0
        └── tool  L0"""


def test_merged_tree_of_a_container_shows_init_rw_copy_ups_and_the_volume():
    assert T.merged_tree(tiny_container(), changes=True) == """\
/
├── .dockerenv                init
├── app/                      L1
│   └── run.sh                L1
├── bin/                      L0
│   └── sh                    L0
├── data/                     rw  ⇐ volume vol1 /var/lib/docker/volumes/vol1/_data
│   └── out                   vol1
├── dev/                      init
│   ├── console               init
│   ├── pts/                  init
│   └── shm/                  init
├── etc/                      rw
│   ├── conf                  rw
│   ├── hostname              init
│   ├── hosts                 init
│   ├── issue                 rw  copied up from L0 (7B)
│   ├── motd                  ✗ whiteout in rw (etc/.wh.motd), hides L0's copy
│   ├── mtab -> /proc/mounts  init
│   └── resolv.conf           init
├── proc/                     init
└── sys/                      init

L0    ADD file:abababababab… in /
L1    COPY run.sh /app/
init  init layer (mount points and empty placeholders)
rw    read-write layer (what the container wrote)
vol1  volume vol1 (on the host)"""


def test_merged_tree_depth_counts_what_is_below():
    assert T.merged_tree(tiny_container(), depth=1, legend=False) == """\
/
├── .dockerenv        init
├── app/ (1 entry)    L1
├── bin/ (1 entry)    L0
├── data/ (1 entry)   rw  ⇐ volume vol1 /var/lib/docker/volumes/vol1/_data
├── dev/ (3 entries)  init
├── etc/ (6 entries)  rw
├── proc/             init
└── sys/              init"""


def test_merged_tree_filters_by_glob_and_by_layer():
    c = tiny_container()
    assert T.merged_tree(c, "/etc", match="*conf*", legend=False) == """\
/etc/            rw
├── conf         rw
└── resolv.conf  init"""
    assert T.merged_tree(c, layer="rw", legend=False) == """\
/
├── data/      rw  ⇐ volume vol1 /var/lib/docker/volumes/vol1/_data
└── etc/       rw
    ├── conf   rw
    └── issue  rw"""
    assert T.merged_tree(tiny_image(), layer=1, legend=False) == "/\n└── app/        L1\n    └── run.sh  L1"


def test_merged_tree_keeps_a_big_directory_readable():
    img = many_layer_image()
    assert T.merged_tree(img, per_dir=3, legend=False) == """\
/
└── files/         L0
    ├── f00        L0
    ├── f01        L1
    ├── f02        L2
    └── … 37 more  from 37 layers: L3 … L39"""
    assert T.merged_tree(img, max_lines=3, legend=False).splitlines()[-1] == (
        "… stopped at 3 lines: narrow the view with top=, depth=, match= or layer=")
    assert "(29 layer labels not listed: layer_stack() names them all)" in T.merged_tree(img, per_dir=50)


def test_merged_tree_of_a_missing_path_says_so():
    assert T.merged_tree(tiny_image(), "/nope") == "/nope: no such path in the merged view"


def test_merged_tree_of_the_seed_container_stays_short(seed):
    _, _, c = seed
    out = T.merged_tree(c, depth=1)
    assert len(out.splitlines()) < 40
    assert any(line.startswith("├── data/ (1 entry) ") and line.endswith("rw  ⇐ volume vol1 "
               "/var/lib/docker/volumes/vol1/_data") for line in out.splitlines())
    assert any(line.startswith("├── run.sh ") and line.endswith(" L4") for line in out.splitlines())
    assert T.merged_tree(c, "/etc", match="hosts", legend=False) == (
        "/etc/      rw\n└── hosts  init  ⇐ bind mount /var/lib/docker/containers/<id>/hosts")


# -- tables ---------------------------------------------------------------------------------------------------------
def test_changeset_lists_raw_tar_members_with_their_meaning():
    assert str(T.changeset_table(whiteout_image())) == """\
MEMBER             KIND       PATH        SIZE
etc/.wh.motd       whiteout   /etc/motd
opt/               modified   /opt
opt/.wh..wh..opq   opaque     /opt
opt/new            added      /opt/new    2B"""
    assert str(T.changeset_table(whiteout_image(), 0, limit=2)) == """\
MEMBER     KIND            PATH        SIZE
etc/motd   added           /etc/motd   3B
opt/old    added           /opt/old    1B
…          1 more member"""


def test_changeset_of_a_container_is_its_read_write_layer():
    assert str(T.changeset_table(tiny_container())) == """\
MEMBER         KIND                   PATH         SIZE
data/          added                  /data
etc/           modified               /etc
etc/.wh.motd   whiteout               /etc/motd
etc/conf       added                  /etc/conf    2B
etc/issue      modified (copied up)   /etc/issue   7B"""


def test_history_of_a_bare_image_has_docker_columns_but_created():
    img = tiny_image()
    assert str(T.history_table(img)) == f"""\
IMAGE          CREATED BY                                      SIZE   COMMENT
{img.short_id}   CMD ["/app/run.sh"]                             0B     buildkit.dockerfile.v0
<missing>      COPY run.sh /app/ # buildkit                    8B     buildkit.dockerfile.v0
<missing>      /bin/sh -c #(nop) ADD file:ababababababababa…   12B"""


def test_history_with_an_engine_is_the_engines_table(seed):
    eng, img, _ = seed
    assert str(T.history_table("seed", engine=eng)) == str(eng.history("seed"))
    assert str(T.history_table(img, engine=eng)) == str(eng.history(img.id))


def test_diff_and_mounts_of_a_container():
    c = tiny_container()
    assert T.diff_text(c) == "A /data\nC /etc\nA /etc/conf\nC /etc/issue\nD /etc/motd"
    assert str(T.mounts_table(c)) == """\
TYPE     SOURCE   DESTINATION   HOST PATH                            MODE
volume   vol1     /data         /var/lib/docker/volumes/vol1/_data   rw"""


def test_engine_tables_are_the_engines(seed):
    eng, _, c = seed
    assert str(T.ps_table(eng, size=True)) == str(eng.ps(size=True))
    assert str(T.images_table(eng)) == str(eng.images_table())
    assert str(T.system_df_table(eng)) == str(eng.system_df())
    assert "/var/lib/docker/containers/<id>/hosts" in str(T.mounts_table(c, internal=True))
    assert c.id not in str(T.mounts_table(c, internal=True)), "container ids are not for reading"


def test_text_views_do_not_import_plotting_libraries():
    code = ("import sys, layerlab.views, layerlab.views.text; "
            "print(','.join(m for m in ('matplotlib', 'networkx', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
