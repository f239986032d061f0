"""`smartqueue setup`, `smartqueue doctor` and `smartqueue support-bundle`: what a technician runs on a device.

`setup` with `--pairing-code` runs non-interactively (scripted installs); without it, it opens the wizard.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ground.i18n import LANGUAGES, translate, translate_embedding


def add_setup_commands(sub: argparse._SubParsersAction) -> None:
    setup = sub.add_parser("setup", help="commission this machine: a node from flags, or a device (role, node, "
                                         "pairing, hardware) with the wizard or flags")
    setup.add_argument("--role", choices=["node", "kiosk", "display", "keypad"])
    where = setup.add_mutually_exclusive_group()
    where.add_argument("--node", metavar="URL", help="the node's address, e.g. https://10.0.0.5:8470")
    where.add_argument("--discover", metavar="BRANCH", help="find the node of this branch id with zeroconf")
    setup.add_argument("--pairing-code", help="the 8-digit code from the node (given: no wizard)")
    setup.add_argument("--printer", help="simulator | serial:PORT[:BAUD] | tcp:HOST[:PORT] | usb:VID:PID | none")
    setup.add_argument("--printer-model", default="generic-80", help="printer profile (smartqueue hardware)")
    setup.add_argument("--scanner", help="wedge | serial:PORT[:BAUD] | camera:INDEX | none")
    setup.add_argument("--fingerprint", help="simulator | serial:PORT | none")
    setup.add_argument("--data-dir", help="data folder (default /var/lib/smartqueue/ROLE)")
    setup.add_argument("--out", type=Path, help="configuration file to write (default /etc/smartqueue/ROLE.toml)")
    setup.add_argument("--test", action="store_true", help="print a test ticket / check the reader after writing")
    setup.add_argument("--scan-wait", type=float, default=0.0, metavar="S", help="wait S seconds for a test scan")
    setup.add_argument("--enroll-slot", type=int, metavar="N", help="enrol a finger into slot N as the test")
    setup.add_argument("--language", choices=LANGUAGES, help="the technician's language (default: from LANG)")
    node = setup.add_argument_group("node (--role node; the same validation as the node at start-up)")
    node.add_argument("--branch", help="the branch id, as central knows it (e.g. BR042)")
    node.add_argument("--organisation", help="the organisation id, as central knows it (first MQTT topic level)")
    node.add_argument("--name", action="append", default=[], metavar="LANG=TEXT",
                      help='the branch name, per language: --name "fr=Agence Centre" --name "ar=..."')
    node.add_argument("--timezone", help="IANA time zone (default: this machine's)")
    node.add_argument("--languages", metavar="fr,en,ar", help="languages offered, the first is the default")
    node.add_argument("--service", action="append", default=[], metavar="id=..,prefix=..,fr=..",
                      help='a service (repeat): "id=accounts,prefix=A,fr=Comptes,en=Accounts[,minutes=5]"')
    node.add_argument("--counter", action="append", default=[], metavar="id=..,services=a+b,fr=..",
                      help='a counter (repeat): "id=1,services=accounts+cash,fr=Guichet 1[,mode=ordered]"')
    node.add_argument("--agent", action="append", default=[], metavar="id=..,name=..,pin=..",
                      help='an agent (repeat): "id=alice,name=Alice Martin,pin=1234[,number=101,counters=1+2]"; '
                           "the PIN is stored hashed")
    node.add_argument("--host", default="0.0.0.0", help="address the LAN API listens on (default: the whole LAN)")
    node.add_argument("--port", type=int, default=8470, help="the LAN API's port")
    node.add_argument("--appointment-key", help="HMAC key of appointment codes (default: generated, or kept)")
    node.add_argument("--self-address", metavar="HOST:PORT", help="cluster: this node's Raft address")
    node.add_argument("--peer", action="append", default=[], metavar="HOST:PORT", help="cluster: another member")
    node.add_argument("--cluster-secret", help="cluster: the secret shared by every member (default: generated)")
    node.add_argument("--sync-host", help="central's MQTT broker (sync on when given)")
    node.add_argument("--sync-port", type=int, help="broker port (default 8883, or 1883 with --sync-plain)")
    node.add_argument("--sync-username")
    node.add_argument("--sync-password-file", help="file holding the broker password (first line)")
    node.add_argument("--sync-ca-file", help="CA that signed the broker's certificate (default: the system's)")
    node.add_argument("--sync-plain", action="store_true", help="no TLS to the broker (a lab only)")
    setup.set_defaults(handler=run_setup_command)


def add_doctor_command(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser("doctor", help="check this device end to end and say how to fix what is wrong")
    doctor.add_argument("--config", type=Path, action="append",
                        help="configuration file (repeatable; default: every /etc/smartqueue/*.toml)")
    doctor.add_argument("--role", choices=["node", "kiosk", "display", "keypad", "central"],
                        help="default: from the file (a [central] section: central's receiver)")
    doctor.add_argument("--language", choices=LANGUAGES, help="default: from LANG")
    doctor.add_argument("--timeout", type=float, default=3.0, help="seconds for each network call")
    doctor.set_defaults(handler=run_doctor_command)


def add_support_bundle_command(sub: argparse._SubParsersAction) -> None:
    bundle = sub.add_parser("support-bundle", help="collect redacted configuration, logs and versions in one file")
    bundle.add_argument("--out", type=Path, help="the archive to write (default: smartqueue-support-HOST-TIME.tar.gz "
                                                 "in this folder)")
    bundle.add_argument("--config", type=Path, action="append", help="default: every /etc/smartqueue/*.toml")
    bundle.add_argument("--log-file", type=Path, action="append", default=[],
                        help="app log files (default: the journal and /var/log/smartqueue)")
    bundle.add_argument("--no-doctor", action="store_true", help="skip the doctor run (faster, offline)")
    bundle.add_argument("--language", choices=LANGUAGES, help="default: from LANG")
    bundle.set_defaults(handler=run_support_bundle_command)


def _language(args: argparse.Namespace) -> str:
    from commissioning.doctor import language_from_env

    return args.language or language_from_env()


def _default_configs() -> list[Path]:
    from commissioning.support import default_configs

    return default_configs()


def run_setup_command(args: argparse.Namespace) -> int:
    language = _language(args)
    if args.role == "node":
        return _setup_node(args, language)
    if not args.pairing_code:
        from commissioning.wizard import run_wizard

        return run_wizard(language, args)
    if not args.role:
        print(translate(language, "give --role node, kiosk, display or keypad"), file=sys.stderr)
        return 2
    from commissioning.hardware_choice import ChoiceError
    from commissioning.steps import Answers, SetupError, run_setup

    answers = Answers(role=args.role, out=args.out or Path("/etc/smartqueue") / f"{args.role}.toml",
                      pairing_code=args.pairing_code, node_url=args.node, discover_branch=args.discover,
                      printer=args.printer, scanner=args.scanner, fingerprint=args.fingerprint,
                      data_dir=args.data_dir, printer_model=args.printer_model)
    try:
        outcome, config = run_setup(answers)
    except SetupError as err:
        print(translate_embedding(language, "setup failed: {reason}", reason=err.translated(language)), file=sys.stderr)
        return 1
    except ChoiceError as err:
        print(translate_embedding(language, "setup failed: {reason}", reason=str(err)), file=sys.stderr)
        return 1
    for line in outcome.lines(language):
        print(line)
    code = 0
    if args.test or args.scan_wait or args.enroll_slot is not None:
        code = _hardware_tests(config, args)
    print(translate_embedding(language, "configuration written to {path}; start the app with: systemctl restart "
                              "smartqueue-gui@{role}", path=str(answers.out), role=args.role))
    return code


def _setup_node(args: argparse.Namespace, language: str) -> int:
    from commissioning.node_setup import NodeAnswers, run_node_setup
    from commissioning.steps import SetupError

    out = args.out or Path("/etc/smartqueue/node.toml")
    answers = NodeAnswers(
        out=out, branch=args.branch, organisation=args.organisation, names=args.name, timezone=args.timezone,
        languages=args.languages, services=args.service, counters=args.counter, agents=args.agent,
        host=args.host, port=args.port, data_dir=args.data_dir, appointment_key=args.appointment_key,
        self_address=args.self_address, peers=args.peer, cluster_secret=args.cluster_secret,
        sync_host=args.sync_host, sync_port=args.sync_port, sync_username=args.sync_username,
        sync_password_file=args.sync_password_file, sync_ca_file=args.sync_ca_file, sync_plain=args.sync_plain)
    try:
        config = run_node_setup(answers)
    except SetupError as err:
        print(translate_embedding(language, "setup failed: {reason}", reason=err.translated(language)), file=sys.stderr)
        return 1
    print(translate_embedding(language, "node configuration written to {path}: branch {branch}, {services} service(s), "
                              "{counters} counter(s), {agents} agent(s)", path=str(out), branch=config.branch.id,
                    services=len(config.services), counters=len(config.counters), agents=len(config.agents)))
    if config.cluster is not None and not args.cluster_secret:
        print(translate_embedding(language, "cluster: give every other member the same secret ([cluster] secret in "
                                            "{path}) with --cluster-secret", path=str(out)))
    print(translate_embedding(language, "start the node with: systemctl restart smartqueue-node; check it with: "
                              "smartqueue doctor --config {path}", path=str(out)))
    return 0


def _hardware_tests(config, args: argparse.Namespace) -> int:
    from commissioning.doctor import report
    from commissioning.hardware_checks import fingerprint_status, printer_status, scanner_status

    checks = []
    if args.role == "kiosk":
        checks.append(printer_status(config.printer, print_test=args.test))
        checks.append(scanner_status(config.scanner, wait_s=args.scan_wait))
    if args.role == "keypad":
        checks.append(fingerprint_status(config.fingerprint, enroll_slot=args.enroll_slot))
    return report(checks, _language(args)) if checks else 0


def run_doctor_command(args: argparse.Namespace) -> int:
    from commissioning.doctor import report, run_checks

    language = _language(args)
    configs = args.config or _default_configs()
    if not configs:
        print(translate(language, "no configuration found: give --config FILE or run smartqueue setup"))
        return 2
    worst = 0
    for path in configs:
        if len(configs) > 1:
            print(f"== {path}")
        worst = max(worst, report(run_checks(path, role=args.role, timeout=args.timeout), language))
    return worst


def run_support_bundle_command(args: argparse.Namespace) -> int:
    import socket
    import time

    from commissioning.support import build, default_configs

    language = _language(args)
    out = args.out or Path(f"smartqueue-support-{socket.gethostname()}-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz")
    collected = build(out, args.config or default_configs(), args.log_file, with_doctor=not args.no_doctor)
    print(translate_embedding(language, "{path}: {count} files: {names}", path=str(out), count=len(collected.names),
                    names=", ".join(collected.names)))
    if collected.missing:
        print(translate(language, "not collected:"))
        for message, values in collected.missing:
            print("  " + translate_embedding(language, message, **values))
    return 0
