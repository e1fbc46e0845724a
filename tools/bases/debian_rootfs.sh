#!/usr/bin/env bash
# Build the root filesystem of debian:bookworm-slim into DIR the way the official image is made
# (debuerreotype: debootstrap minbase, full-upgrade, minimizing config, slimify, fixup, tar excludes).
#
#   sudo tools/bases/debian_rootfs.sh DIR [EPOCH]
#
# Needs root, debootstrap and the Debian mirror configured for apt on this machine (read from
# /etc/apt/sources.list(.d), never hard-coded). EPOCH is the snapshot time the image is stamped with
# (default 1747699200 = 2025-05-20T00:00:00Z, the bookworm-slim build the simulator models).
# The minimizing and slimify steps below reproduce debuerreotype's scripts of the same names.
set -Eeuo pipefail

dir="${1:?usage: debian_rootfs.sh DIR [EPOCH]}"
epoch="${2:-1747699200}"
suite=bookworm

mirror=
if compgen -G '/etc/apt/sources.list.d/*.sources' > /dev/null; then
	mirror="$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{ print $2 }' | grep -v -- '-security' | grep '/debian$' | head -n1 || true)"
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
	mirror="$(awk '$1 == "deb" && $2 ~ /\/debian$/ { print $2; exit }' /etc/apt/sources.list)"
fi
[ -n "$mirror" ] || { echo >&2 "no Debian mirror configured in /etc/apt/sources.list(.d)"; exit 1; }
secmirror="${mirror}-security"
snapshot="$(date -u --date "@$epoch" +%Y%m%dT%H%M%SZ)"
# the snapshot archive named in the image's comments: the one this machine's own sources name, if any
snapbase="$(grep -h '^# http' /etc/apt/sources.list.d/*.sources 2> /dev/null | head -n1 | sed -E 's|^# (https?://[^/]+)/.*|\1|' || true)"

mkdir -p "$dir"
debootstrap --variant=minbase --merged-usr "$suite" "$dir" "$mirror"
echo "$epoch" > "$dir/debuerreotype-epoch"

# the deb822 sources of the official image (snapshot comment above each URIs line)
rm -f "$dir/etc/apt/sources.list"
{
	echo 'Types: deb'
	[ -z "$snapbase" ] || echo "# $snapbase/archive/debian/$snapshot"
	echo "URIs: $mirror"
	echo "Suites: $suite $suite-updates"
	echo 'Components: main'
	echo 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
	echo
	echo 'Types: deb'
	[ -z "$snapbase" ] || echo "# $snapbase/archive/debian-security/$snapshot"
	echo "URIs: $secmirror"
	echo "Suites: $suite-security"
	echo 'Components: main'
	echo 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
} > "$dir/etc/apt/sources.list.d/debian.sources"
cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
chroot "$dir" apt-get update -qq
chroot "$dir" bash -c 'apt-mark auto ".*" > /dev/null'

echo 'debuerreotype' > "$dir/etc/hostname"
echo "$epoch" | md5sum | cut -f1 -d' ' > "$dir/etc/machine-id"
{
	echo '# https://1.1.1.1 (privacy-focused, highly-available DNS service)'
	echo 'nameserver 1.1.1.1'
	echo 'nameserver 1.0.0.1'
} > "$dir/etc/resolv.conf.debuerreotype"
chmod 0644 "$dir/etc/hostname" "$dir/etc/machine-id" "$dir/etc/resolv.conf.debuerreotype"

# --- debuerreotype-minimizing-config ---
cat > "$dir/usr/sbin/policy-rc.d" <<-'EOF'
	#!/bin/sh

	# For most Docker users, "apt-get install" only happens during "docker build",
	# where starting services doesn't work and often fails in humorous ways. This
	# prevents those failures by stopping the services from attempting to start.

	exit 101
EOF
chmod 0755 "$dir/usr/sbin/policy-rc.d"
cat > "$dir/etc/dpkg/dpkg.cfg.d/docker-apt-speedup" <<-'EOF'
	# For most Docker users, package installs happen during "docker build", which
	# doesn't survive power loss and gets restarted clean afterwards anyhow, so
	# this minor tweak gives us a nice speedup (much nicer on spinning disks,
	# obviously).

	force-unsafe-io
EOF
cat > "$dir/etc/apt/apt.conf.d/docker-autoremove-suggests" <<-'EOF'
	# Since Docker users are looking for the smallest possible final images, the
	# following emerges as a very common pattern:

	#   RUN apt-get update \
	#       && apt-get install -y <packages> \
	#       && <do some compilation work> \
	#       && apt-get purge -y --auto-remove <packages>

	# By default, APT will actually _keep_ packages installed via Recommends or
	# Depends if another package Suggests them, even and including if the package
	# that originally caused them to be installed is removed.  Setting this to
	# "false" ensures that APT is appropriately aggressive about removing the
	# packages it added.

	# https://aptitude.alioth.debian.org/doc/en/ch02s05s05.html#configApt-AutoRemove-SuggestsImportant
	Apt::AutoRemove::SuggestsImportant "false";
EOF
aptGetClean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
cat > "$dir/etc/apt/apt.conf.d/docker-clean" <<-EOF
	# Since for most Docker users, package installs happen in "docker build" steps,
	# they essentially become individual layers due to the way Docker handles
	# layering, especially using CoW filesystems.  What this means for us is that
	# the caches that APT keeps end up just wasting space in those layers, making
	# our layers unnecessarily large (especially since we'll normally never use
	# these caches again and will instead just "docker build" again and make a brand
	# new image).

	# Ideally, these would just be invoking "apt-get clean", but in our testing,
	# that ended up being cyclic and we got stuck on APT's lock, so we get this fun
	# creation that's essentially just "apt-get clean".
	DPkg::Post-Invoke { $aptGetClean };
	APT::Update::Post-Invoke { $aptGetClean };

	Dir::Cache::pkgcache "";
	Dir::Cache::srcpkgcache "";

	# Note that we do realize this isn't the ideal way to do this, and are always
	# open to better suggestions (https://github.com/debuerreotype/debuerreotype/issues).
EOF
cat > "$dir/etc/apt/apt.conf.d/docker-gzip-indexes" <<-'EOF'
	# Since Docker users using "RUN apt-get update && apt-get install -y ..." in
	# their Dockerfiles don't go delete the lists files afterwards, we want them to
	# be as small as possible on-disk, so we explicitly request that Apt keep them
	# compressed on-disk too instead of decompressing them.

	# For comparison, an "apt-get update" layer without this on a pristine
	# "debian:wheezy" base image was "29.88 MB", where with this it was only
	# "8.273 MB".

	Acquire::GzipIndexes "true";
EOF
cat > "$dir/etc/apt/apt.conf.d/docker-no-languages" <<-'EOF'
	# In Docker, we don't often need the "Translations" files, so we're just wasting
	# time and space by downloading them, and this inhibits that.  For users that do
	# need them, it's a simple matter to delete this file and "apt-get update". :)

	Acquire::Languages "none";
EOF
chmod 0644 "$dir"/etc/dpkg/dpkg.cfg.d/docker-apt-speedup "$dir"/etc/apt/apt.conf.d/docker-*

chroot "$dir" apt-get update -qq
chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get full-upgrade -yqq

# --- debuerreotype-slimify ---
excludes=(/usr/share/doc/'*' /usr/share/groff/'*' /usr/share/info/'*' /usr/share/linda/'*'
	/usr/share/lintian/overrides/'*' /usr/share/locale/'*' /usr/share/man/'*')
includes=(/usr/share/doc/'*'/copyright /usr/share/doc/kde/HTML/C/'*' /usr/share/gnome/help/'*'/C/'*'
	/usr/share/locale/all_languages /usr/share/locale/currency/'*' /usr/share/locale/l10n/'*'
	/usr/share/locale/languages /usr/share/locale/locale.alias /usr/share/omf/'*'/'*'-C.emf)
cfg="$dir/etc/dpkg/dpkg.cfg.d/docker"
{
	echo '# This is the "slim" variant of the Debian base image.'
	echo '# Many files which are normally unnecessary in containers are excluded,'
	echo '# and this configuration file keeps them that way.'
} > "$cfg"
findIncludes=()
for inc in "${includes[@]}"; do
	[ "${#findIncludes[@]}" -eq 0 ] || findIncludes+=( -o )
	findIncludes+=( -path "$inc" )
done
findIncludes=( '(' "${findIncludes[@]}" ')' )
for exc in "${excludes[@]}"; do
	{
		echo
		echo "# dpkg -S '$exc'"
		if out="$(chroot "$dir" dpkg -S "$exc" 2>&1)"; then
			echo "$out" | sed 's/: .*//g; s/, /\n/g' | sort -u | xargs
		else
			echo "$out"
		fi | fold -w 76 -s | sed 's/^/#  /'
		echo "path-exclude $exc"
	} >> "$cfg"
	parent="$(dirname "$exc")"
	if [ -d "$dir$parent" ]; then
		chroot "$dir" find "$parent" -depth -mindepth 1 -not "${findIncludes[@]}" -not \( -type d -o -type l \) -exec rm -f '{}' ';'
		while [ "$(chroot "$dir" find "$parent" -depth -mindepth 1 \( -empty -o -xtype l \) -exec rm -rf '{}' ';' -printf '.' | wc -c)" -gt 0 ]; do true; done
	fi
done
{
	echo
	for inc in "${includes[@]}"; do
		echo "path-include $inc"
	done
} >> "$cfg"
chmod 0644 "$cfg"

# --- debuerreotype-fixup and the tar excludes of debuerreotype-tar ---
mv "$dir/etc/resolv.conf.debuerreotype" "$dir/etc/resolv.conf"
rm -f "$dir/var/log/dpkg.log" "$dir/var/log/bootstrap.log" "$dir/var/log/alternatives.log" \
	"$dir/var/cache/ldconfig/aux-cache" "$dir/run/mount/utab"
rmdir "$dir/run/mount" 2> /dev/null || :
rm -rf "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/* "$dir"/proc/* "$dir"/sys/* "$dir"/dev/* \
	"$dir/etc/machine-id" "$dir/etc/apt/apt.conf.d/01autoremove-kernels" \
	"$dir/var/log/apt/history.log" "$dir/var/log/apt/term.log" "$dir/debuerreotype-epoch" "$dir/debootstrap"
find "$dir" -newermt "@$epoch" -exec touch --no-dereference --date="@$epoch" '{}' +
echo "built $dir"
