"""The home screen's tiles: their words, and how 1 to 13 of them share portrait and landscape screens."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.tiles import menu_tiles, service_lines, tile_content_height, tile_grid

TZ = ZoneInfo("Africa/Casablanca")
NOW = dt.datetime(2026, 11, 24, 12, 30, tzinfo=TZ)  # a Tuesday


def service(ident="loans", **fields):
    return {"id": ident, "names": {"fr": "Crédits", "en": "Loans", "ar": "القروض"}, "group": None,
            "open_now": True, "waiting": 0, "estimated_wait_s": None, "opens_at": None, **fields}


def test_waiting_and_estimated_wait_on_one_line():
    assert service_lines(service(waiting=7, estimated_wait_s=1980), "fr", NOW) == [
        "7 en attente · Environ 33 minutes"]
    assert service_lines(service(waiting=0, estimated_wait_s=30), "en", NOW) == ["No wait"]
    assert service_lines(service(waiting=2), "en", NOW) == ["2 waiting · No counter open yet"]


@pytest.mark.parametrize(("opens", "expected"), [
    ("2026-11-24T13:30:00+01:00", "Fermé · ouvre à 13:30"),
    ("2026-11-25T08:30:00+01:00", "Fermé · ouvre demain à 08:30"),
    ("2026-11-27T09:00:00+01:00", "Fermé · ouvre vendredi à 09:00"),
    (None, "Fermé"),
])
def test_a_closed_service_says_when_it_opens(opens, expected):
    assert service_lines(service(open_now=False, opens_at=opens), "fr", NOW) == [expected]


def test_arabic_opening_time_is_24_hour():
    line = service_lines(service(open_now=False, opens_at="2026-11-24T15:30:00+01:00"), "ar", NOW)[0]
    assert "15:30" in line and "م" not in line.split("15:30")[1]


def test_groups_list_what_they_hold_and_priority_entry_comes_last():
    groups = [{"id": "everyday", "names": {"en": "Everyday banking"}, "parent": None}]
    services = [service("accounts", names={"en": "Accounts and cards"}, group="everyday"),
                service("cash", names={"en": "Cash desk"}, group="everyday"), service()]
    tiles = menu_tiles(services, groups, None, "en", NOW, priority_entry=["Pregnant", "Disabled person"])
    assert [(t["kind"], t["id"]) for t in tiles] == [("group", "everyday"), ("service", "loans"),
                                                      ("priority", "priority")]
    assert tiles[0]["lines"] == ["Accounts and cards · Cash desk"]
    assert tiles[2]["lines"] == ["Pregnant · Disabled person"]


def tiles(n: int, name: str = "Ouverture de compte", line: str = "7 en attente · Environ 33 minutes"):
    return [{"id": f"s{i}", "name": name, "lines": [line]} for i in range(n)]


@pytest.mark.parametrize(("count", "columns"), [(1, 1), (2, 1), (4, 1), (8, 2), (13, 2)])
def test_portrait_tiles_fill_the_screen(count, columns):
    grid = tile_grid(tiles(count), 1016, 1500)
    assert grid.columns == columns and grid.font_scale == 1.0
    used = grid.rows * grid.tile_height + (grid.rows - 1) * 16
    assert grid.tile_height >= 150 and (used >= 0.6 * 1500 or grid.tile_height == 320)


@pytest.mark.parametrize(("count", "columns"), [(2, 2), (4, 2), (6, 2), (13, 4)])
def test_landscape_tiles_side_by_side(count, columns):
    assert tile_grid(tiles(count), 1856, 700).columns == columns


def test_large_text_shrinks_towards_normal_only_when_the_screen_is_full():
    few = tile_grid(tiles(3), 1016, 1400, scale=1.5)
    assert few.font_scale == 1.0
    many = tile_grid(tiles(13, "المقاولات والمهنيون", "لا يوجد شباك مفتوح"), 1856, 640, scale=1.5)
    assert 1 / 1.5 - 1e-3 <= many.font_scale < 1.0
    needed = max(tile_content_height(t, (1856 - 16 * (many.columns - 1)) / many.columns, 1.5 * many.font_scale)
                 for t in tiles(13, "المقاولات والمهنيون", "لا يوجد شباك مفتوح"))
    assert needed <= many.tile_height + 1


def test_a_grid_fits_every_language_so_switching_never_moves_a_tile():
    french = tiles(6, "Entreprises et professionnels")
    arabic = tiles(6, "المقاولات والمهنيون")
    assert tile_grid(french + arabic, 1016, 900) == tile_grid(arabic + french, 1016, 900)
    assert tile_grid(french + arabic, 1016, 900).tile_height >= tile_grid(french, 1016, 900).tile_height - 1
