"""Render the pictures in this directory from the course's seed scenario: `python docs/images/render.py`.

Each PNG is what layerlab.views draws at notebook width (900 px); rerun this after changing a view.
"""

from __future__ import annotations

import pathlib

import layerlab as ll
from layerlab.views import build_step_picture, driver_picture, figure_png, sharing_graph, stack_picture

HERE = pathlib.Path(__file__).resolve().parent
SEED = 'FROM ubuntu:14.04\nADD run.sh /\nVOLUME /data\nCMD ["./run.sh"]\n'
RUN_SH = "#!/bin/sh\necho hi > /data/out\n"


def main() -> None:
    eng = ll.Engine()
    eng.build(SEED, {"run.sh": RUN_SH}, tag="seed")
    c = eng.run("seed", volumes={"vol1": "/data"})
    eng.exec(c, "echo x > /etc/conf && rm /etc/motd")
    pictures = {"stack-seed-container.png": stack_picture(c, engine=eng),
                "overlay2.png": driver_picture(c, engine=eng)}

    build = eng.builder(SEED.replace("VOLUME", "RUN echo built > /built && cat /built\nVOLUME"),
                        {"run.sh": RUN_SH}, tag="seed:v2")
    for _ in range(3):
        build.step()
    pictures["build-step.png"] = build_step_picture(build)

    eng.build("FROM ubuntu:14.04\nRUN echo hello > /hello\n", tag="hello")
    eng.build("FROM busybox\nCOPY index.html /www/\n", {"index.html": "<h1>hi</h1>\n"}, tag="web")
    eng.run("web", name="web1")
    pictures["sharing-graph.png"] = sharing_graph(eng)

    for name, fig in pictures.items():
        (HERE / name).write_bytes(figure_png(fig))
        print("wrote", name)


if __name__ == "__main__":
    main()
