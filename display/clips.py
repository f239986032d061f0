"""Build-time voice clips: `python -m display.clips --out DIR [--languages fr,en,ar]`.

espeak-ng (1.51 here) reads every word of `display.speech.vocabulary()` into `DIR/<lang>/<word>.wav` (22,050 Hz
mono 16-bit) and the chime is synthesised into `DIR/chime.wav`; `DIR/manifest.json` says what was made with what.
About 430 clips, 4 MB, a few seconds. Clips are generated, never committed: `make setup` makes them, packaging
copies the folder, tests make the few they need in a temporary folder. Better recordings can replace any file
with the same name and format (a person's voice for the phrases, say) without touching code.
"""

from __future__ import annotations

import argparse
import array
import json
import math
import shutil
import subprocess
import sys
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from display.speech import CHIME, LANGUAGES, vocabulary

RATE = 22050
SILENCE_THRESHOLD = 400  # |sample| below this (of 32767) counts as silence when trimming
#: espeak-ng voice and speed per language; Arabic is slowed down a little, it is the hardest to follow.
VOICES = {"fr": ("fr", 150), "en": ("en-gb", 150), "ar": ("ar", 135)}


class ClipError(Exception):
    """Clips could not be generated (espeak-ng missing or failing)."""


def clip_path(root: Path, clip_key: str) -> Path:
    if clip_key == CHIME:
        return root / "chime.wav"
    language, word = clip_key.split(":", 1)
    return root / language / f"{word}.wav"


def espeak_version() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise ClipError("espeak-ng is not installed (apt-get install espeak-ng)")
    return subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout.strip()


def _speak(text: str, language: str, out: Path) -> None:
    voice, speed = VOICES[language]
    out.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), text],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0 or not out.exists():
        raise ClipError(f"espeak-ng failed on {text!r} ({language}): {result.stderr.strip()}")
    write_wav(out, trim(read_samples(out)))  # espeak-ng pads ~0.5 s of silence: a third of the size, no gaps


def chime_samples(rate: int = RATE) -> array.array:
    """A two-note "ding-dong" (E5 then C5), soft attack and exponential decay: clearly a signal, not a voice."""
    samples = array.array("h")
    for freq, length in ((659.25, 0.45), (523.25, 0.75)):
        count = int(rate * length)
        for i in range(count):
            t = i / rate
            envelope = min(1.0, t / 0.01) * math.exp(-3.5 * t)
            value = 0.8 * math.sin(2 * math.pi * freq * t) + 0.2 * math.sin(2 * math.pi * 2 * freq * t)
            samples.append(int(12000 * envelope * value))
    return samples


def trim(samples: array.array, margin: int = int(RATE * 0.015)) -> array.array:
    """Drop leading and trailing silence, keeping a small margin so consonants are not clipped."""
    start = next((i for i, s in enumerate(samples) if abs(s) > SILENCE_THRESHOLD), None)
    if start is None:
        return array.array("h")
    end = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > SILENCE_THRESHOLD)
    return samples[max(0, start - margin):min(len(samples), end + margin + 1)]


def read_samples(path: Path) -> array.array:
    with wave.open(str(path), "rb") as clip:
        if clip.getnchannels() != 1 or clip.getsampwidth() != 2 or clip.getframerate() != RATE:
            raise ValueError(f"{path}: expected {RATE} Hz mono 16-bit")
        samples = array.array("h")
        samples.frombytes(clip.readframes(clip.getnframes()))
    return samples


def write_wav(path: Path, samples: array.array, rate: int = RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def generate(out: Path, languages: tuple[str, ...] = LANGUAGES, only: set[str] | None = None,
             workers: int = 4) -> int:
    """Make the clips (all, or the keys in `only`); returns how many were written."""
    version = espeak_version()
    jobs = [(clip_key, text, language) for language in languages for clip_key, text in vocabulary(language).items()
            if only is None or clip_key in only]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sq-clips") as pool:
        list(pool.map(lambda job: _speak(job[1], job[2], clip_path(out, job[0])), jobs))
    write_wav(clip_path(out, CHIME), chime_samples())
    per_language = {language: sum(1 for job in jobs if job[2] == language) for language in languages}
    manifest = {"generator": version, "rate": RATE, "languages": list(languages), "voices": VOICES,
                "clips": len(jobs), "per_language": per_language}  # doctor counts the files against these
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(jobs) + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m display.clips", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to fill (created if needed)")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated, default fr,en,ar")
    args = parser.parse_args(argv)
    languages = tuple(x for x in args.languages.split(",") if x)
    unknown = set(languages) - set(LANGUAGES)
    if unknown:
        parser.error(f"unknown languages: {', '.join(sorted(unknown))}")
    try:
        count = generate(args.out, languages)
    except ClipError as err:
        print(f"display.clips: {err}", file=sys.stderr)
        return 1
    print(f"{count} clips written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
