"""The seed scenario of the course, built once for every view test that needs the real ubuntu:14.04 base."""

from __future__ import annotations

import pytest

SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
RUN_SH = "#!/bin/sh\necho hi > /data/out\n"


@pytest.fixture(scope="session")
def seed():
    """(engine, image, container) after `docker run -v vol1:/data seed` and `echo x > /etc/conf && rm /etc/motd`."""
    import layerlab as ll

    eng = ll.Engine()
    img = eng.build(SEED, {"run.sh": RUN_SH}, tag="seed")
    c = eng.run("seed", volumes={"vol1": "/data"})
    eng.exec(c, "echo x > /etc/conf && rm /etc/motd")
    return eng, img, c


@pytest.fixture(scope="session")
def seed_2015(seed):
    """The seed built by the Docker 1.x (2015) profile on the same engine: every instruction its own layer."""
    eng = seed[0]
    return eng.build(SEED, {"run.sh": RUN_SH}, tag="seed:2015", profile="docker-2015")
