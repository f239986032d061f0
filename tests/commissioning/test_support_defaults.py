"""`smartqueue support-bundle` with no arguments: it collects the default places (/etc/smartqueue, the journal,
/var/log/smartqueue) and says plainly, translated, what it collected and what it could not."""

from __future__ import annotations

import argparse
import os
import tarfile

from commissioning import support
from commissioning.cli import add_support_bundle_command


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_support_bundle_command(parser.add_subparsers())
    return parser.parse_args(argv)


def test_no_arguments_collects_the_default_places_and_says_what_is_missing(tmp_path, monkeypatch, capsys):
    etc, logs, bin_dir, work = tmp_path / "etc", tmp_path / "log", tmp_path / "bin", tmp_path / "work"
    for folder in (etc, logs, bin_dir, work):
        folder.mkdir()
    (etc / "kiosk.toml").write_text('[branch]\nid = "BR1"\norganisation = "o"\nname = { fr = "A" }\n'
                                    'technician_pin_hash = "scrypt$x$y"\n', encoding="utf-8")
    (etc / "node.toml").write_text("[branch]\n", encoding="utf-8")
    (etc / "node.toml").chmod(0o000)  # a file this user cannot read (root reads everything: see below)
    (logs / "kiosk-session.log").write_text("Authorization: Bearer sqd_secretsecretsecret\n", encoding="utf-8")
    monkeypatch.setattr(support, "DEFAULT_CONFIG_DIR", etc)
    monkeypatch.setattr(support, "DEFAULT_LOG_DIR", logs)
    monkeypatch.setenv("PATH", str(bin_dir))  # a machine without journald: no journalctl
    monkeypatch.chdir(work)
    args = parse("support-bundle", "--no-doctor", "--language", "fr")
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    [archive_path] = list(work.glob("smartqueue-support-*.tar.gz"))  # the default name, in this folder
    with tarfile.open(archive_path) as archive:
        names = {member.name.removeprefix("smartqueue-support/") for member in archive.getmembers()}
        text = "".join(archive.extractfile(m).read().decode() for m in archive.getmembers())
    assert {"config/kiosk.toml", "logs/kiosk-session.log", "versions.json", "collected.txt"} <= names
    assert "sqd_secret" not in text and "scrypt$x" not in text
    assert "journalctl n'est pas installé" in out  # why there is no journal, in French
    assert "non collecté" in out
    if os.geteuid() != 0:
        assert "node.toml" in out.split("non collecté")[1]
    assert "the journal: journalctl is not installed" in text  # collected.txt, for support


def test_with_nothing_to_collect_it_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(support, "DEFAULT_CONFIG_DIR", tmp_path / "nothing")
    monkeypatch.setattr(support, "DEFAULT_LOG_DIR", tmp_path / "nothing")
    monkeypatch.setenv("PATH", str(tmp_path))
    args = parse("support-bundle", "--no-doctor", "--out", str(tmp_path / "b.tar.gz"), "--language", "en")
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert f"configuration: no *.toml in {tmp_path / 'nothing'}" in out
    assert "logs: none collected" in out
