"""Real image formats: `docker save` archives (both layouts), OCI image layouts, flat exports; unpack.

>>> import os, tempfile
>>> from layerlab import Layer
>>> from layerlab.image import Image, HistoryEntry
>>> img = Image(layers=(Layer.from_spec({"/etc/motd": "hi\\n"}),), history=(HistoryEntry("COPY motd /etc/"),))
>>> tmp = tempfile.TemporaryDirectory(); d = tmp.name
>>> save_docker_archive([(("app:latest",), img)], os.path.join(d, "app.tar"))
>>> detect_format(os.path.join(d, "app.tar"))
'docker-archive-oci'
>>> back = load_image(os.path.join(d, "app.tar"))
>>> back == img, back.id == img.id, back.rootfs.read("/etc/motd")
(True, True, b'hi\\n')
>>> tmp.cleanup()
"""

from .archive import clean_name
from .docker_archive import save_docker_archive
from .export import ExportedImage, is_export
from .load import FORMATS, detect_format, load_image, load_images
from .oci import save_oci_layout
from .refs import Platform
from .spool import DEFAULT_MAX_BYTES, Cache
from .unpack import Unpacked, unpack

__all__ = [
    "Cache", "DEFAULT_MAX_BYTES", "ExportedImage", "FORMATS", "Platform", "Unpacked", "clean_name",
    "detect_format", "is_export", "load_image", "load_images", "save_docker_archive", "save_oci_layout",
    "unpack",
]
