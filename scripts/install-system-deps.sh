#!/usr/bin/env bash
# Installs the Debian packages SmartQueue Edge needs (broker, zbar, fonts, Qt's X/EGL libs, tools for tests;
# pulseaudio: a private null-sink sound server so tests and the headless demo really play announcements;
# libfuse2: the power-cut layer under the cluster tests, devtools/lazyfs.py through fusepy).
# Idempotent: does nothing when everything is present. Needs root to install; otherwise prints the command.
set -euo pipefail
# Runtime: broker, zbar, fonts, Qt's X/EGL libraries (the xcb platform plugin also needs icccm, keysyms, shape:
# checked with ldd of libqxcb.so in a debootstrap root). Tests and packaging: curl (README examples), Xvfb and
# x11-utils (the windowed demo test: xwininfo, xprop), debootstrap + apt-utils + gnupg (clean-root install test,
# signed apt repository), patchelf (builder RUNPATHs), lintian.
pkgs=(python3 python3-venv mosquitto mosquitto-clients libzbar0 socat espeak-ng fonts-noto-core
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0
      libfontconfig1 libdbus-1-3 libglib2.0-0 iproute2 openssl curl postgresql chromium pulseaudio pulseaudio-utils
      gcc libc6-dev  # gcc: bench_fsync builds its LD_PRELOAD shim
      libfuse2  # devtools/lazyfs.py (fusepy): the cluster's power-cut tests
      strace  # tests/branch/test_archive_durability_review.py: which fsyncs SQLite really issues
      xvfb xauth x11-utils debootstrap apt-utils gnupg patchelf lintian)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The Debian packages start a system-wide broker on 1883 and a PostgreSQL cluster on 5432; ours are started by the
# apps, tests and benches on their own ports (smartqueue/local_broker.py, smartqueue/local_postgres.py).
if command -v systemctl >/dev/null 2>&1; then
  for unit in mosquitto postgresql; do
    systemctl is-active --quiet "$unit" 2>/dev/null && systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi
