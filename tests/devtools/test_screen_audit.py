"""The layout audit's own checks: each fails on a deliberately bad QML snippet and passes on its good twin."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QUrl
from PySide6.QtQml import QQmlApplicationEngine

from devtools.screen_audit import Rules, audit_window, check_structure, pump
from devtools.screen_audit.checks import arcmin_to_mm, contrast_ratio, mm_to_arcmin
from devtools.screen_audit.runner import rules_for, touch_target_mm

#: 15 mm = 60 px; read from 50 cm, 16 arcmin is a 2.33 mm cap = 9.3 px: Noto Sans from 14 px (cap 0.714 em)
RULES = Rules(px_per_mm=4.0, viewing_cm=50)


@pytest.fixture
def render(qapp):
    engines: list[QQmlApplicationEngine] = []

    def load(body: str, *, width: int = 400, height: int = 300, colour: str = "white"):
        engine = QQmlApplicationEngine()
        engines.append(engine)
        source = (f"import QtQuick\nimport QtQuick.Controls.Basic\nWindow {{ width: {width}; height: {height}; "
                  f"visible: true; color: '{colour}'\n property bool rtl: false\n"
                  f" LayoutMirroring.enabled: rtl; LayoutMirroring.childrenInherit: true\n{body}\n}}")
        engine.loadData(QByteArray(source.encode()), QUrl("file:///audit-test.qml"))
        assert engine.rootObjects(), "the test QML did not load"
        window = engine.rootObjects()[0]
        pump(50)
        return window

    yield load
    for engine in engines:
        for root in engine.rootObjects():
            root.close()
            root.deleteLater()
        engine.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def checks(window, **kwargs) -> set[str]:
    return audit_window(window, RULES, **kwargs).checks()


BUTTON = "Rectangle {{ objectName: 'b{n}'; x: {x}; y: {y}; width: {w}; height: {h}; color: '#0b5cad'\n" \
         "  MouseArea {{ objectName: 'm{n}'; anchors.fill: parent }} }}"


def button(n: int, x: int, y: int, w: int = 80, h: int = 80) -> str:
    return BUTTON.format(n=n, x=x, y=y, w=w, h=h)


def test_a_good_screen_has_no_findings(render):
    window = render(button(1, 20, 20) + button(2, 120, 20)
                    + "Text { objectName: 't'; x: 20; y: 150; text: 'Hello'; color: '#1b2430'; font.pixelSize: 20 }")
    assert audit_window(window, RULES).findings == []


def test_touch_target_too_small(render):
    assert checks(render(button(1, 20, 20, w=120, h=40))) == {"touch"}


def test_an_app_may_declare_its_own_touch_target(render):
    """The staff keypad's 12 mm: a 52 px key passes at 12 mm (48 px) and fails at the public 15 mm (60 px)."""
    window = render(button(1, 20, 20, w=120, h=52))
    assert audit_window(window, RULES).checks() == {"touch"}
    assert audit_window(window, Rules(px_per_mm=4.0, viewing_cm=50, touch_mm=12)).findings == []

    class Public:
        pass

    class Staff:
        touch_mm = 12

    assert touch_target_mm(Public()) == 15 and touch_target_mm(Staff()) == 12  # type: ignore[arg-type]


def test_interactive_item_outside_the_window_is_hidden(render):
    assert checks(render(button(1, 360, 20))) == {"hidden"}


def test_interactive_item_cut_by_a_clipping_parent_is_hidden(render):
    window = render("Item { width: 100; height: 50; clip: true\n" + button(1, 10, 10) + "}")
    assert checks(window) == {"hidden"}


def test_hot_zone_over_a_button_overlaps(render):
    window = render(button(1, 300, 0, w=100, h=80)
                    + "MouseArea { objectName: 'corner'; anchors.top: parent.top; anchors.right: parent.right;"
                      " width: 96; height: 96 }")
    assert checks(window) == {"overlap"}


def test_a_backdrop_may_cover_everything(render):
    window = render("MouseArea { anchors.fill: parent; z: -1; property bool auditBackdrop: true }" + button(1, 20, 20))
    assert checks(window) == set()


def test_interactive_item_without_object_name(render):
    window = render("Rectangle { x: 20; y: 20; width: 80; height: 80; MouseArea { anchors.fill: parent } }")
    assert checks(window) == {"unnamed"}


def test_tap_handler_makes_its_parent_a_touch_target(render):
    window = render("Rectangle { objectName: 'bar'; width: 300; height: 30; color: '#eee'; TapHandler {} }")
    assert checks(window) == {"touch"}


def test_elided_text(render):
    window = render("Text { width: 60; elide: Text.ElideRight; text: 'A long sentence'; font.pixelSize: 20 }")
    assert checks(window) == {"elided"}


def test_text_wider_than_its_box(render):
    window = render("Text { width: 60; text: 'A long sentence'; font.pixelSize: 20 }")
    assert checks(window) == {"clipped"}


def test_a_word_that_cannot_wrap(render):
    window = render("Text { width: 60; wrapMode: Text.WordWrap; text: 'Extraordinarily'; font.pixelSize: 20 }")
    assert checks(window) == {"clipped"}


def test_text_taller_than_its_box(render):
    window = render("Text { width: 200; height: 20; wrapMode: Text.WordWrap; font.pixelSize: 20;"
                    " text: 'three lines of words that wrap around' }")
    assert checks(window) == {"clipped"}


def test_glyphs_out_of_a_fixed_line_height(render):
    """A fixed line height shorter than the font: the line box fits its box, the letters hang out of it."""
    short = "Text { y: 50; height: 20; lineHeightMode: Text.FixedHeight; lineHeight: 20; font.pixelSize: 40; " \
            "text: 'Tall'; color: '#1b2430' }"
    assert checks(render(short)) == {"clipped"}
    tall = short.replace("lineHeight: 20", "lineHeight: 60").replace("height: 20", "height: 60")
    assert checks(render(tall)) == set()


def test_a_text_shrunk_to_fit_is_measured_at_the_size_drawn(render):
    """Text.Fit draws below the requested `font.pixelSize` (which still reports it): the ink is the drawn glyphs'."""
    fitted = "Text { y: 50; width: 300; height: 40; font.pixelSize: 120; fontSizeMode: Text.Fit; " \
             "minimumPixelSize: 10; verticalAlignment: Text.AlignVCenter; text: 'A-001'; color: '#1b2430' }"
    assert checks(render(fitted)) == set()
    fixed = fitted.replace("fontSizeMode: Text.Fit; ", "")
    assert "clipped" in checks(render(fixed))


def test_glyphs_over_a_neighbour_found_by_their_ink(render):
    window = render("Text { y: 50; height: 20; lineHeightMode: Text.FixedHeight; lineHeight: 20; font.pixelSize: 40;"
                    " text: 'Upper'; color: '#1b2430' }"
                    "Text { y: 72; text: 'Lower'; font.pixelSize: 20; color: '#1b2430' }")
    assert "overlap" in checks(window)


MARQUEE = ("Rectangle {{ y: 200; width: 400; height: {h}; color: '#ffb300'; clip: true; {mark}\n"
           "  Text {{ x: 250; anchors.verticalCenter: parent.verticalCenter; font.pixelSize: 30; color: '#0b1d33';"
           " text: 'A message that scrolls past the strip' }} }}")


def test_a_scrolling_message_is_checked_where_its_strip_shows_it(render):
    assert checks(render(MARQUEE.format(h=60, mark="property bool auditMarquee: true"))) == set()


def test_a_scrolling_message_needs_the_mark_to_run_past_its_strip(render):
    assert checks(render(MARQUEE.format(h=60, mark=""))) == {"outside"}


def test_a_scrolling_message_must_be_whole_in_height(render):
    assert checks(render(MARQUEE.format(h=24, mark="property bool auditMarquee: true"))) == {"clipped"}


def test_a_scrolling_strip_outside_the_window(render):
    window = render(MARQUEE.format(h=60, mark="property bool auditMarquee: true").replace("y: 200", "y: 270"))
    assert checks(window) == {"outside"}


def test_text_outside_the_window(render):
    window = render("Text { x: 350; text: 'Outside'; font.pixelSize: 20 }")
    assert checks(window) == {"outside"}


def test_text_cut_by_a_clipping_parent(render):
    window = render("Item { width: 40; height: 40; clip: true; Text { text: 'Clipped here'; font.pixelSize: 20 } }")
    assert checks(window) == {"clipped"}


def test_label_spilling_out_of_its_control(render):
    window = render("Rectangle { objectName: 'tile'; x: 20; y: 20; width: 200; height: 70; color: '#0b5cad'\n"
                    "  TapHandler {}\n"
                    "  Column { anchors.centerIn: parent; width: parent.width\n"
                    "    Text { width: parent.width; text: 'Name'; color: 'white'; font.pixelSize: 24 }\n"
                    "    Text { width: parent.width; text: 'Line one'; color: 'white'; font.pixelSize: 24 }\n"
                    "    Text { width: parent.width; text: 'Line two'; color: 'white'; font.pixelSize: 24 } } }")
    assert checks(window) == {"outside"}


def test_text_over_text(render):
    window = render("Text { text: 'First line'; font.pixelSize: 20 }"
                    "Text { y: 10; text: 'Second line'; font.pixelSize: 20 }")
    assert checks(window) == {"overlap"}


def test_low_contrast_text(render):
    assert checks(render("Text { text: 'Closed'; color: '#999999'; font.pixelSize: 20 }")) == {"contrast"}


def test_large_text_needs_three_to_one(render):
    # #949494 on white is 3.03:1: enough at 24 px, not at 20 px
    assert checks(render("Text { text: 'Closed'; color: '#949494'; font.pixelSize: 24 }")) == set()
    assert checks(render("Text { text: 'Closed'; color: '#949494'; font.pixelSize: 20 }")) == {"contrast"}


def test_contrast_is_measured_on_the_rendered_background(render):
    on_dark = "Rectangle { width: 200; height: 60; color: '#0b5cad'; Text { anchors.centerIn: parent; " \
              "text: 'Loans'; color: 'white'; font.pixelSize: 20 } }"
    assert checks(render(on_dark)) == set()
    on_light = on_dark.replace("#0b5cad", "#dde6f5")
    assert checks(render(on_light)) == {"contrast"}


def test_faded_text_counts_its_opacity(render):
    assert checks(render("Text { opacity: 0.35; text: 'Closed'; color: '#1b2430'; font.pixelSize: 20 }")) == {
        "contrast"}


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


ROW = ("Row { x: 20; y: 20; spacing: 20\n"
       "  Rectangle { objectName: 'first'; width: 80; height: 80\n"
       "    MouseArea { objectName: 'mFirst'; anchors.fill: parent } }\n"
       "  Rectangle { objectName: 'second'; width: 80; height: 80\n"
       "    MouseArea { objectName: 'mSecond'; anchors.fill: parent } }\n"
       "}")


def _snapshots(render, bodies: list[tuple[str, bool]]):
    snaps = []
    for language, (body, rtl) in zip(("en", "ar"), bodies, strict=True):
        window = render(body)
        window.setProperty("rtl", rtl)
        pump(30)
        snaps.append(audit_window(window, RULES, language=language, rtl=rtl).snapshots[0])
    return snaps


def test_structure_mirrored_is_the_same(render):
    assert check_structure(_snapshots(render, [(ROW, False), (ROW, True)])) == []


def test_structure_not_mirrored_in_rtl_is_found(render):
    fixed = ROW.replace("Row {", "Row { LayoutMirroring.enabled: false;")
    found = check_structure(_snapshots(render, [(fixed, False), (fixed, True)]))
    assert {f.check for f in found} == {"structure"} and any("not mirrored" in f.detail for f in found)


def test_structure_fixed_direction_may_stay_left_to_right(render):
    fixed = ROW.replace("Row {", "Row { LayoutMirroring.enabled: false; property bool auditFixedDirection: true;")
    assert check_structure(_snapshots(render, [(fixed, False), (fixed, True)])) == []


def test_structure_missing_item_is_found(render):
    shorter = ROW.replace("Rectangle { objectName: 'second'", "Rectangle { visible: rtl; objectName: 'second'")
    found = check_structure(_snapshots(render, [(ROW, False), (shorter, False)]))
    assert [f.item for f in found] == ["mSecond", "second"]


def test_structure_control_changing_size_is_found(render):
    taller = ROW.replace("objectName: 'second'; width: 80; height: 80", "objectName: 'second'; width: 80; height: 140")
    found = check_structure(_snapshots(render, [(ROW, False), (taller, False)]))
    assert "mSecond" in {f.item for f in found}


def test_structure_fixed_direction_group_still_moves_with_the_mirrored_screen(render):
    """A digit pad keeps 7-8-9 left to right in Arabic, but the pad as a whole swaps sides with its neighbour."""
    page = ("Row { x: 20; y: 20; spacing: 20\n"
            "  Rectangle { objectName: 'side'; width: 80; height: 80\n"
            "    MouseArea { objectName: 'mSide'; anchors.fill: parent } }\n"
            + ROW.replace("Row { x: 20; y: 20; spacing: 20",
                          "Row { spacing: 20; LayoutMirroring.enabled: false; property bool auditFixedDirection: true")
            + "\n}")
    assert check_structure(_snapshots(render, [(page, False), (page, True)])) == []
    stuck = page.replace("Row { x: 20; y: 20; spacing: 20", "Row { x: 20; y: 20; spacing: 20; "
                         "LayoutMirroring.enabled: false", 1)  # the pad does not swap sides: found
    found = check_structure(_snapshots(render, [(stuck, False), (stuck, True)]))
    assert found and all("side" in f.item.lower() for f in found)


# -- holes found by review 15b ----------------------------------------------------------------------------------
def test_fitted_text_is_judged_at_the_size_it_is_drawn(render):
    """A label declared at 30 px that fontSizeMode shrinks to ~12 px, grey on white at 3.5:1: small text needs
    4.5:1. The audit read the declared size and took it for large text (3:1)."""
    window = render("Text { objectName: 'fitted'; y: 20; width: 90; height: 40; fontSizeMode: Text.HorizontalFit;"
                    " minimumPixelSize: 8; font.pixelSize: 30; color: '#8a8a8a'; text: 'Déconnexion' }")
    assert checks(window) == {"contrast"}


def test_fitted_text_in_a_short_box_is_not_clipped(render):
    """fontSizeMode: Fit shrinks the glyphs into a box shorter than the declared size: nothing is cut (look at
    the PNG), yet the audit hung the declared size's ink from the baseline and reported 'clipped'. This is what
    fails the keypad's serving_message-ar-800x480 on main."""
    window = render("Text { objectName: 'number'; y: 20; width: 380; height: 40; fontSizeMode: Text.Fit;"
                    " minimumPixelSize: 10; font.pixelSize: 84; font.bold: true; color: '#1b2430';"
                    " horizontalAlignment: Text.AlignHCenter; verticalAlignment: Text.AlignVCenter; text: 'A-001' }")
    assert audit_window(window, RULES).findings == []


def test_text_hidden_under_an_opaque_panel(render):
    """A text painted over by a later opaque sibling cannot be read; its contrast was measured on the panel's
    colour and it passed."""
    window = render("Text { objectName: 'status'; x: 20; y: 20; text: 'Printer out of paper'; color: '#1b2430';"
                    " font.pixelSize: 20 }"
                    "Rectangle { objectName: 'panel'; x: 0; y: 0; width: 400; height: 80; color: '#f0f0f0' }")
    assert checks(window) == {"covered"}


def test_invisible_press_area_over_a_key(render):
    """An opacity-0 MouseArea still takes taps (Qt: opacity does not affect input): the key under it is dead.
    The audit skipped every item at opacity 0, so it saw a good key."""
    window = render(button(1, 20, 20) + "MouseArea { objectName: 'ghost'; opacity: 0; x: 0; y: 0; width: 200;"
                    " height: 200 }")
    assert checks(window) == {"hidden", "overlap"}


def test_tiny_text_is_found(render):
    """An 8 px label (1.5 mm on a 7" 800x480 keypad; ~7 arcmin at 60 cm, ISO 9241-303 asks >= 16) passed."""
    window = render("Text { objectName: 'tiny'; x: 20; y: 20; text: 'Déconnexion'; color: '#1b2430';"
                    " font.pixelSize: 8 }")
    assert checks(window) == {"small"}
    keypad = Rules.for_screen((800, 480), 7, viewing_cm=55)  # 5.25 px per mm
    [finding] = audit_window(window, keypad).findings
    assert re.fullmatch(r"\[small\] screen-en-normal-400x300: Text tiny “Déconnexion”: drawn at 8 px, cap 1\.\d\d mm "
                        r"= [5-8]\.\d arcmin at 55 cm, under 16\.0 arcmin \(2\.56 mm = 13\.4 px cap\)", str(finding))


def test_the_least_text_size_is_an_angle_at_the_viewing_distance(render):
    """Cap height ≥ 16 arcmin at the reader's distance, measured with the font's own cap height (Noto Sans 0.714
    em here, from the font, not assumed): 14 px passes from 50 cm and fails from 1 m; 13 px fails from 50 cm."""
    assert arcmin_to_mm(16, 50) == pytest.approx(2.327, abs=0.001)
    assert mm_to_arcmin(arcmin_to_mm(16, 55), 55) == pytest.approx(16)
    text = "Text { objectName: 'label'; x: 20; y: 20; text: 'Commencer'; color: '#1b2430'; font.family: 'Noto Sans';" \
           " font.pixelSize: %d }"
    assert checks(render(text % 14)) == set()
    assert audit_window(render(text % 14), Rules(px_per_mm=4.0, viewing_cm=100)).checks() == {"small"}
    assert checks(render(text % 13)) == {"small"}
    assert audit_window(render(text % 10), Rules(px_per_mm=4.0, viewing_cm=50, text_arcmin=10)).findings == []


def test_text_shrunk_below_the_least_size_is_found(render):
    """fontSizeMode shrinks a 30 px label to fit 70 px: it is judged at the ~10 px drawn, not the 30 declared;
    with the box wide enough it is drawn at its declared size and passes."""
    label = "Text { objectName: 'key'; y: 20; width: %d; height: 40; fontSizeMode: Text.HorizontalFit;" \
            " minimumPixelSize: 6; font.pixelSize: 30; color: '#1b2430'; text: 'Déconnexion' }"
    assert checks(render(label % 70)) == {"small"}
    assert checks(render(label % 380)) == set()


def test_arabic_is_held_to_the_same_em_size_as_latin(render, qapp):
    """Arabic has no capitals (Noto Sans Arabic declares a cap height of 0.42 em): the text's first family, Noto
    Sans, gives the cap height, so Arabic needs the same 14 px as Latin here — not 23 px, nor 8 px."""
    from appkit.fonts import load_fonts

    load_fonts(qapp)
    text = "Text { objectName: 'label'; x: 20; y: 20; text: 'تسجيل الخروج'; color: '#1b2430'; font.pixelSize: %d }"
    assert checks(render(text % 14)) == set()
    assert checks(render(text % 13)) == {"small"}


def test_each_app_declares_its_reader_and_its_screens(render):
    """The runner builds an app's rules from its declarations: the keypad's 12 mm and 55 cm on its 7" screen; the
    board a panel and a distance per size, and its own floor instead of 16 arcmin."""

    class Keypad:
        diagonal_inches, viewing_cm, touch_mm = 7.0, 55.0, 12.0

    class Board:
        diagonal_inches, viewing_cm, text_arcmin = 43.0, 50.0, 8.0

        def panel(self, size):
            return (55.0, 1000.0) if size == (1920, 1080) else (15.0, 300.0)

    keypad = rules_for(Keypad(), (800, 480))  # type: ignore[arg-type]
    assert (keypad.touch_mm, keypad.viewing_cm, keypad.text_arcmin) == (12, 55, 16)
    assert keypad.min_cap_mm * keypad.px_per_mm == pytest.approx(13.44, abs=0.01)  # the brief's 13.4 px
    board = rules_for(Board(), (800, 480))  # type: ignore[arg-type]
    assert (board.viewing_cm, board.text_arcmin, board.touch_mm) == (300, 8, 15)
    assert board.px_per_mm == pytest.approx(Rules.for_screen((800, 480), 15, viewing_cm=1).px_per_mm)
