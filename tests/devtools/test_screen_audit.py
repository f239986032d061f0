"""The layout audit's own checks: each fails on a deliberately bad QML snippet and passes on its good twin."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QUrl
from PySide6.QtQml import QQmlApplicationEngine

from devtools.screen_audit import Rules, audit_window, check_structure, pump
from devtools.screen_audit.checks import contrast_ratio
from devtools.screen_audit.runner import touch_target_mm

RULES = Rules(px_per_mm=4.0)  # 15 mm = 60 px


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
    assert audit_window(window, Rules(px_per_mm=4.0, touch_mm=12)).findings == []

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
