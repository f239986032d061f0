"""A signed apt repository from the .debs: `python packaging/apt_repo.py --debs dist --repo dist/apt`.

Layout: `pool/main/*.deb`, `dists/stable/main/binary-ARCH/Packages(.gz)`, `dists/stable/Release` with its
`InRelease` and `Release.gpg` signatures, and `smartqueue-archive-keyring.gpg` (the public key, binary). Built with
Debian's `apt-ftparchive` and `gpg`. Serve the folder over HTTP (any static server) and on each machine:

  install -m 0644 smartqueue-archive-keyring.gpg /usr/share/keyrings/
  echo "deb [signed-by=/usr/share/keyrings/smartqueue-archive-keyring.gpg] http://REPO-HOST/apt stable main" \\
      > /etc/apt/sources.list.d/smartqueue.list
  apt-get update && apt-get install --no-install-recommends smartqueue        # a node
  apt-get update && apt-get install --no-install-recommends smartqueue-apps   # a kiosk, display or keypad

The signing key is the one in GNUPGHOME whose user id is `--key` (default "SmartQueue Edge archive"); when there is
none, `--new-key` makes one there (ed25519, no passphrase: keep that folder off the branches' machines).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SUITE, COMPONENT = "stable", "main"
KEY_UID = "SmartQueue Edge archive <archive@smartqueue.invalid>"
KEYRING = "smartqueue-archive-keyring.gpg"


def gpg(gnupghome: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "GNUPGHOME": str(gnupghome)}
    return subprocess.run(["gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", *args],
                          env=env, check=True, capture_output=True, **kwargs)


def ensure_key(gnupghome: Path, uid: str = KEY_UID, *, create: bool = True) -> str:
    """The fingerprint of the signing key with this user id, made when missing (and `create`)."""
    gnupghome.mkdir(parents=True, exist_ok=True, mode=0o700)
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys", uid],
                             env={**os.environ, "GNUPGHOME": str(gnupghome)}, capture_output=True, text=True)
    if listing.returncode != 0:
        if not create:
            raise SystemExit(f"apt_repo: no secret key '{uid}' in {gnupghome} (give --new-key to make one)")
        gpg(gnupghome, "--quick-gen-key", uid, "ed25519", "sign", "never")
        listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys", uid],
                                 env={**os.environ, "GNUPGHOME": str(gnupghome)}, capture_output=True, text=True,
                                 check=True)
    return next(line.split(":")[9] for line in listing.stdout.splitlines() if line.startswith("fpr:"))


def build_repo(debs: list[Path], repo: Path, gnupghome: Path, *, uid: str = KEY_UID, create_key: bool = True) -> Path:
    """Write (or refresh) the repository in `repo` with exactly these .debs; returns the public keyring's path."""
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    pool = repo / "pool" / COMPONENT
    if pool.exists():
        shutil.rmtree(pool)
    pool.mkdir(parents=True)
    for deb in debs:
        shutil.copy2(deb, pool / deb.name)
    dist = repo / "dists" / SUITE
    binary = dist / COMPONENT / f"binary-{arch}"
    binary.mkdir(parents=True, exist_ok=True)
    packages = subprocess.run(["apt-ftparchive", "packages", f"pool/{COMPONENT}"], cwd=repo, capture_output=True,
                              check=True).stdout
    (binary / "Packages").write_bytes(packages)
    subprocess.run(["gzip", "-9nkf", str(binary / "Packages")], check=True)
    for stale in ("Release", "InRelease", "Release.gpg"):
        (dist / stale).unlink(missing_ok=True)
    release = subprocess.run(["apt-ftparchive", "-o", f"APT::FTPArchive::Release::Suite={SUITE}",
                              "-o", f"APT::FTPArchive::Release::Codename={SUITE}",
                              "-o", "APT::FTPArchive::Release::Origin=SmartQueue Edge",
                              "-o", "APT::FTPArchive::Release::Label=SmartQueue Edge",
                              "-o", f"APT::FTPArchive::Release::Architectures={arch}",
                              "-o", f"APT::FTPArchive::Release::Components={COMPONENT}",
                              "release", "."], cwd=dist, capture_output=True, check=True).stdout
    (dist / "Release").write_bytes(release)
    fingerprint = ensure_key(gnupghome, uid, create=create_key)
    gpg(gnupghome, "--local-user", fingerprint, "--clearsign", "-o", str(dist / "InRelease"), str(dist / "Release"))
    gpg(gnupghome, "--local-user", fingerprint, "--detach-sign", "-o", str(dist / "Release.gpg"), str(dist / "Release"))
    keyring = repo / KEYRING
    keyring.write_bytes(gpg(gnupghome, "--export", fingerprint).stdout)
    return keyring


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debs", type=Path, default=ROOT / "dist", help="folder of the .debs to publish")
    parser.add_argument("--repo", type=Path, default=ROOT / "dist" / "apt")
    parser.add_argument("--gnupghome", type=Path, default=Path(os.environ.get("SQ_REPO_GNUPGHOME",
                                                                            ROOT / "var" / "repo-key")))
    parser.add_argument("--key", default=KEY_UID, help="user id of the signing key")
    parser.add_argument("--new-key", action="store_true", help="make the signing key when it is missing")
    args = parser.parse_args(argv)
    debs = sorted(args.debs.glob("*.deb"))
    if not debs:
        print(f"apt_repo: no .deb in {args.debs}", file=sys.stderr)
        return 2
    keyring = build_repo(debs, args.repo, args.gnupghome, uid=args.key, create_key=args.new_key)
    print(f"apt repository: {args.repo} ({len(debs)} packages), key {keyring}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
