"""Technician commands for the fingerprint reader: `fingerprint-status`, `fingerprint-enroll`, `simulate fingerprint`.

`add_fingerprint_commands(subparsers)` adds them; each sets `handler(args) -> int`. The dispatcher may pass the loaded
configuration as `args.fingerprint_config` (a `FingerprintConfig`); `--port` overrides its port.
"""

from __future__ import annotations

import argparse
import sys
import threading
from contextlib import ExitStack

from config.fingerprint import FingerprintConfig
from hardware.cli_support import simulate_subparsers
from hardware.errors import HardwareError
from hardware.fingerprint.device import FingerprintReader
from hardware.fingerprint.simulator import UNKNOWN_FINGER, FingerprintSimulator, SensorModel


def add_fingerprint_commands(subparsers: argparse._SubParsersAction) -> None:
    for name, handler, text in (
        ("fingerprint-status", fingerprint_status, "what the fingerprint reader answers"),
        ("fingerprint-enroll", fingerprint_enroll, "enrol a finger into a template slot"),
    ):
        command = subparsers.add_parser(name, help=text)
        command.add_argument("--port", help="serial port of the sensor (default: from the configuration)")
        command.add_argument("--simulated", action="store_true", help="use an in-process simulated sensor")
        command.set_defaults(handler=handler)
        if name == "fingerprint-enroll":
            command.add_argument("--slot", type=int, required=True, help="template slot to store into")
            command.add_argument("--wait", type=float, default=15.0, help="seconds to wait for each touch")

    sim = simulate_subparsers(subparsers).add_parser("fingerprint", help="a fingerprint sensor on a pty")
    sim.add_argument("--pty", action="store_true", required=True, help="serve on a pty (prints its path)")
    sim.add_argument("--library-size", type=int, default=200)
    sim.add_argument("--password", type=lambda text: int(text, 0), default=0)
    sim.set_defaults(handler=simulate_fingerprint)


def _open_reader(args: argparse.Namespace, stack: ExitStack) -> tuple[FingerprintReader, FingerprintSimulator | None]:
    config: FingerprintConfig = getattr(args, "fingerprint_config", None) or FingerprintConfig()
    simulator = None
    port = args.port
    if args.simulated or config.simulated:
        simulator = stack.enter_context(FingerprintSimulator(SensorModel(password=config.password, auto_lift=True)))
        simulator.place_finger(1)
        port = simulator.port
    reader = FingerprintReader.from_config(config, port=port)
    stack.callback(reader.close)
    reader.open()
    return reader, simulator


def fingerprint_status(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        try:
            reader, _ = _open_reader(args, stack)
            params = reader.system_parameters()
            count = reader.template_count()
        except HardwareError as err:
            print(f"fingerprint reader: {type(err).__name__}: {err}")
            return 1
        print(f"state: {reader.state.value}")
        print(f"templates: {count} of {params.library_size}")
        print(f"security level: {params.security_level}, baud rate: {params.baudrate}, "
              f"address: 0x{params.address:08x}, system id: 0x{params.system_id:04x}")
    return 0


def fingerprint_enroll(args: argparse.Namespace) -> int:
    prompts = {
        "place_finger": "place the finger on the sensor",
        "remove_finger": "remove the finger",
        "place_again": "place the same finger again",
        "stored": "stored",
    }
    with ExitStack() as stack:
        try:
            reader, _ = _open_reader(args, stack)
            stored = reader.enroll(args.slot, args.wait, on_step=lambda step: print(prompts[step.value], flush=True))
        except (HardwareError, ValueError) as err:
            print(f"enrolment failed: {err}")
            return 1
    if not stored:
        print("no finger in time; nothing stored")
        return 1
    print(f"slot {args.slot} enrolled")
    return 0


_SIM_HELP = ("commands: finger none|unknown|<id> | enroll <slot> <finger id> | lift on|off | "
             "fault silent|badsum|garbage|truncate|off | slow <seconds> | status")


def _sim_command(sim: FingerprintSimulator, words: list[str]) -> str:
    match words:
        case ["finger", "none"]:
            sim.place_finger(None)
        case ["finger", "unknown"]:
            sim.place_finger(UNKNOWN_FINGER)
        case ["finger", finger] if finger.isdigit():
            sim.place_finger(int(finger))
        case ["enroll", slot, finger] if slot.isdigit() and finger.isdigit():
            sim.enroll_directly(int(slot), int(finger))
        case ["lift", ("on" | "off") as value]:
            sim.model.auto_lift = value == "on"
        case ["fault", "silent"]:
            sim.faults.silent = True
        case ["fault", "badsum"]:
            sim.faults.bad_checksum = True
        case ["fault", "garbage"]:
            sim.faults.garbage = b"\x00\xffnoise"
        case ["fault", "truncate"]:
            sim.faults.truncate = True
        case ["fault", "off"]:
            sim.faults.silent = sim.faults.bad_checksum = sim.faults.truncate = False
            sim.faults.garbage, sim.faults.reply_delay_s = b"", 0.0
        case ["slow", seconds]:
            sim.faults.reply_delay_s = float(seconds)
        case ["status"]:
            return f"finger={sim.model.finger} library={dict(sorted(sim.model.library.items()))} faults={sim.faults}"
        case _:
            return _SIM_HELP
    return "ok"


def simulate_fingerprint(args: argparse.Namespace) -> int:
    """Serve a simulated sensor on a pty; stdin lines set the finger and faults. Runs until Ctrl-C."""
    model = SensorModel(library_size=args.library_size, password=args.password, auto_lift=True)
    with FingerprintSimulator(model) as sim:
        print(sim.port, flush=True)
        try:
            for raw in sys.stdin:
                if raw.strip():
                    try:
                        print(_sim_command(sim, raw.split()), flush=True)
                    except ValueError as err:
                        print(f"error: {err}", flush=True)
            threading.Event().wait()  # stdin closed: keep serving until Ctrl-C
        except KeyboardInterrupt:
            pass
    return 0
