"""Review 15c: ways to draw text smaller than the audit's minimum that the `small` check must still see."""

from __future__ import annotations

from tests.devtools.test_screen_audit import checks, render  # noqa: F401  (fixture)

LABEL = "text: 'Commencer'; color: '#1b2430'; font.family: 'Noto Sans'; font.pixelSize: 20"


def test_a_text_scaled_down_is_judged_at_its_drawn_size(render):  # noqa: F811
    """A 20 px label with `scale: 0.5` is drawn at 10 px (cap ~7 px, under the 9.3 px asked): it must be found."""
    assert checks(render(f"Text {{ objectName: 't'; x: 100; y: 100; {LABEL}; scale: 0.5 }}")) == {"small"}


def test_a_text_in_a_scaled_parent_is_judged_at_its_drawn_size(render):  # noqa: F811
    assert checks(render(f"Item {{ x: 20; y: 20; width: 300; height: 100; scale: 0.5; transformOrigin: Item.TopLeft\n"
                         f" Text {{ objectName: 't'; {LABEL} }} }}")) == {"small"}


def test_a_label_in_a_scaled_parent_is_judged_at_its_drawn_size(render):  # noqa: F811
    assert checks(render(f"Item {{ x: 20; y: 20; width: 300; height: 100; scale: 0.5; transformOrigin: Item.TopLeft\n"
                         f" Label {{ objectName: 't'; {LABEL} }} }}")) == {"small"}


def test_a_wrapped_text_shrunk_to_fit_is_judged_at_its_drawn_size(render):  # noqa: F811
    """fontSizeMode: Fit on a two-line wrapped text shrinks it too; the single-line estimate does not apply."""
    window = render("Text { objectName: 't'; x: 20; y: 20; width: 60; height: 24; wrapMode: Text.WordWrap;"
                    " fontSizeMode: Text.Fit; minimumPixelSize: 4; font.pixelSize: 30; color: '#1b2430';"
                    " font.family: 'Noto Sans'; text: 'Mettre en pause la file' }")
    assert checks(window) == {"small"}
