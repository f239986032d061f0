"""Review 15b: bad screens the layout audit let through (each a screen a person would trip over)."""

from __future__ import annotations

from devtools.screen_audit import audit_window
from tests.devtools.test_screen_audit import RULES, button, checks, render  # noqa: F401  (fixture)


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
    assert checks(window)


def test_invisible_press_area_over_a_key(render):
    """An opacity-0 MouseArea still takes taps (Qt: opacity does not affect input): the key under it is dead.
    The audit skipped every item at opacity 0, so it saw a good key."""
    window = render(button(1, 20, 20) + "MouseArea { objectName: 'ghost'; opacity: 0; x: 0; y: 0; width: 200;"
                    " height: 200 }")
    assert checks(window)


def test_tiny_text_is_found(render):
    """An 8 px label (1.5 mm on a 7" 800x480 keypad; ~7 arcmin at 60 cm, ISO 9241-303 asks >= 16) passed."""
    window = render("Text { objectName: 'tiny'; x: 20; y: 20; text: 'Déconnexion'; color: '#1b2430';"
                    " font.pixelSize: 8 }")
    assert checks(window)
