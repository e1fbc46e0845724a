#!/bin/sh
# Build the sample image that notebook 11 explores: a REAL image, made by buildah, saved as a
# `docker save`-style archive (docker-archive transport).
#
# Made with: buildah 1.28.2, skopeo 1.9.3 (not needed to build), busybox-static 1:1.35.0-4+deb12u1 (Debian 12).
# Needs root, buildah and busybox-static (`apt-get install -y buildah busybox-static`); no daemon, no registry.
#
#   sh tools/make_sample_image.sh [OUTPUT.tar]      (default: notebooks/data/sample-buildah.tar)
#
# What is in it, layer by layer (base first):
#   0  the busybox base: /bin/busybox (about 2 MB) and one symlink per applet, made `FROM scratch`
#   1  COPY a 300,000-byte data file and a README into /app           (the add ...)
#   2  RUN rm /app/data.bin                                           (... then delete: a whiteout)
#   3  COPY run.sh into /app
#   4  RUN chmod 755 /app/run.sh                                      (a chmod: the whole file is copied up)
#   5  RUN mkdir ... && echo ... > /var/log/app/boot.log              (a RUN with no package manager)
#   plus ENV, WORKDIR and CMD, which change the config only
# --timestamp makes the dates fixed, so running the script again gives the same layers.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$REPO/notebooks/data/sample-buildah.tar}
WORK=$(mktemp -d)
trap 'buildah --root "$WORK/root" --runroot "$WORK/runroot" rm --all >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
B="buildah --root $WORK/root --runroot $WORK/runroot --storage-driver vfs"
STAMP=1700000000     # 2023-11-14T22:13:20Z

# -- the base: busybox from scratch -------------------------------------------------------------------
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc" "$WORK/rootfs/tmp"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$WORK/rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$WORK/rootfs/etc/passwd"
printf 'root:x:0:\n' > "$WORK/rootfs/etc/group"
chmod 1777 "$WORK/rootfs/tmp"
c=$($B from scratch)
$B copy "$c" "$WORK/rootfs/" / >/dev/null
$B config --cmd /bin/sh --env PATH=/bin --created-by "ADD busybox rootfs /" "$c"
$B commit --quiet --timestamp $STAMP --identity-label=false "$c" sample-base >/dev/null
$B rm "$c" >/dev/null

# -- the build context and the Dockerfile ---------------------------------------------------------------
CTX="$WORK/ctx"
mkdir -p "$CTX"
head -c 300000 /dev/zero | tr '\0' 'x' > "$CTX/data.bin"
printf 'A sample image for layerlab notebook 11.\n' > "$CTX/README"
printf '#!/bin/sh\necho "hello from the sample image"\ncat /var/log/app/boot.log\n' > "$CTX/run.sh"
chmod 644 "$CTX/run.sh"
cat > "$CTX/Dockerfile" <<'DOCKERFILE'
FROM localhost/sample-base
ENV APP_HOME=/app
COPY README data.bin /app/
RUN rm /app/data.bin
COPY run.sh /app/run.sh
RUN chmod 755 /app/run.sh
RUN mkdir -p /var/log/app && echo "built by buildah" > /var/log/app/boot.log
WORKDIR /app
CMD ["/app/run.sh"]
DOCKERFILE
touch -d @$STAMP "$CTX"/*

$B bud --quiet --layers --isolation chroot --timestamp $STAMP --identity-label=false \
    -f "$CTX/Dockerfile" -t sample:1.0 "$CTX" >/dev/null

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
$B push --quiet sample:1.0 "docker-archive:$OUT:sample:1.0"
echo "wrote $OUT ($(wc -c < "$OUT") bytes)"
