"""The [display] section: how the calling display behaves (owned by the display package's authors).

Layouts, zones and sound modes are data here, so a new board is a configuration, not a code change.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import Section

#: The same languages as the root schema (importing them from config.schema would be circular).
DisplayLanguage = Literal["fr", "en", "ar"]
_IDENT = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class MediaItem(Section):
    """One entry of the media panel's playlist: an image shown for `seconds`, or a video played to its end."""

    path: str = Field(min_length=1, description="Image (png, jpg, webp, svg) or video (mp4, webm, mkv) file.")
    seconds: float = Field(10, ge=1, le=3600, description="How long an image stays; ignored for videos.")


class DisplayConfig(Section):
    """Settings of the display app; every field has a range and a description."""

    layout: Literal["landscape", "portrait"] = Field(
        "landscape", description="Screen orientation the board is laid out for.")
    zone: Annotated[str, Field(pattern=_IDENT)] | None = Field(
        None, description="Show only the counters of this zone (counters[].zone) and their services; none = all.")
    recent_calls: int = Field(6, ge=0, le=20, description="Previous calls listed under the one being called.")
    languages: list[DisplayLanguage] | None = Field(
        None, min_length=1, max_length=3,
        description="Languages the board's labels alternate between; none = the branch's languages.")
    alternate_seconds: float = Field(10, ge=3, le=600,
                                     description="How long each language stays before the board switches.")
    highlight_seconds: float = Field(8, ge=1, le=60,
                                     description="How long a new call blinks in the 'now calling' area.")
    calling_seconds: float = Field(
        60, ge=5, le=1800,
        description="A call stays in the large 'now calling' area this long (several at once when several "
                    "counters call); then it moves to the list of previous calls.")
    calling_max: int = Field(3, ge=1, le=6, description="Calls shown at once in the 'now calling' area.")
    screen_inches: float = Field(
        55, ge=7, le=300, description="The screen's diagonal, in inches: text sizes are derived from it.")
    viewing_distance_m: float = Field(
        10, ge=1, le=60, description="Distance of the farthest seat that must read the board, in metres.")
    show_services: bool = Field(True, description="List the services with people waiting and the estimated wait.")
    services_refresh_seconds: float = Field(20, ge=2, le=600,
                                            description="Period of the waiting/estimate refresh from the node.")
    sound: Literal["full", "chime", "silent"] = Field(
        "full", description="full: chime then voice; chime: chime only; silent: no sound at all.")
    announce_languages: list[DisplayLanguage] | None = Field(
        None, min_length=1, max_length=3, description="Languages of the spoken call, in order; none = `languages`.")
    clip_dir: str = Field("var/clips", description="Voice clips from `python -m display.clips --out DIR`.")
    volume: float = Field(1.0, ge=0, le=1, description="Volume of the chime and the voice.")
    media_volume: float = Field(0.5, ge=0, le=1, description="Volume of the media panel's videos.")
    duck_volume: float = Field(0.1, ge=0, le=1, description="Volume of the videos while a call is announced.")
    media: list[MediaItem] = Field(default_factory=list, max_length=200,
                                   description="Media panel playlist, in order; empty = no media panel.")
    message: dict[DisplayLanguage, Annotated[str, Field(max_length=500)]] = Field(
        default_factory=dict,
        description="Scrolling message line per language; empty = no line (central may push one).")
    message_speed: float = Field(120, ge=20, le=1000, description="Scrolling speed of the message line, pixels/s.")
    screen_diagonal_inches: float = Field(
        43, ge=7, le=150, description="The screen's diagonal: touch targets are sized in millimetres on it.")
    window_width: int | None = Field(None, ge=320, le=7680,
                                     description="Window width with --windowed/--screenshot; none = 1920 or 1080.")
    window_height: int | None = Field(None, ge=240, le=7680,
                                      description="Window height with --windowed/--screenshot; none = 1080 or 1920.")

    @model_validator(mode="after")
    def _distinct_languages(self) -> DisplayConfig:
        for name in ("languages", "announce_languages"):
            value = getattr(self, name)
            if value is not None and len(set(value)) != len(value):
                raise ValueError(f"{name}: a language appears twice")
        return self

    @property
    def window_size(self) -> tuple[int, int]:
        """The window's size when not full screen: the configured one, else full HD in the layout's orientation."""
        default = (1920, 1080) if self.layout == "landscape" else (1080, 1920)
        return (self.window_width or default[0], self.window_height or default[1])
