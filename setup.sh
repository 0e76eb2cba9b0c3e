#!/bin/sh
# Installs what dfsum needs to build, test and run on Debian 12 (as root, or
# with sudo available). Safe to run again: apt-get skips what is installed.
set -eu

PACKAGES="
  build-essential cmake pkg-config git
  libcsv-dev
  libfast-float-dev
  libxxhash-dev
  libcmocka-dev
  mpich libmpich-dev
  libhdf5-mpich-dev hdf5-tools
  liburing-dev
  libarchive-dev zlib1g-dev libisal-dev
  python3
"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done

if [ -n "$missing" ]; then
  echo "setup: installing$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends $missing >/dev/null
fi
echo "setup: all dependencies present" >&2
