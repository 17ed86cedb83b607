"""Every page at the common screen sizes: the drawing canvas whole and drawable, Build reachable.

Screenshots of each page at each size are kept in ``test-output/browser/layout-*``.
"""

import pytest
from conftest import new_studio_page
from test_browser_journey import SEVEN

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
SIZES = {"laptop": (1280, 800), "hd": (1366, 768), "phone": (390, 844)}
PAGES = ("Train", "Evaluate", "Inside the network", "Build")
# The canvas lives in its component's shadow root: walk up through the host elements too.
CLIPPING = """(canvas) => {
  const r = canvas.getBoundingClientRect();
  const clipped = [];
  const up = (e) => e.parentElement || (e.getRootNode() && e.getRootNode().host) || null;
  for (let e = up(canvas); e; e = up(e)) {
    const style = getComputedStyle(e);
    if (/(hidden|auto|scroll|clip)/.test(style.overflowX)) {
      const a = e.getBoundingClientRect();
      if (r.left < a.left - 0.5 || r.right > a.right + 0.5) clipped.push(style.overflowX);
    }
  }
  return {left: r.left, right: r.right, width: r.width, viewport: window.innerWidth, clipped};
}"""


def hide_navigation(s):
    """On a phone the opened sidebar covers the page: close it again."""
    closer = s.page.locator('[data-testid="stSidebarCollapseButton"] button')
    if s.page.viewport_size["width"] < 640 and closer.count() and closer.first.is_visible():
        closer.first.click()
        s.page.wait_for_timeout(400)   # the sidebar's slide-out animation


def show_navigation(s):
    """On a phone the sidebar starts collapsed: open it to reach the pages."""
    opener = s.page.locator('[data-testid="stExpandSidebarButton"]')
    if opener.count() and opener.first.is_visible():
        opener.first.click()
        s.wait_for(s.page.locator('[data-testid="stSidebarNav"]'), "the opened sidebar")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_canvas_is_whole_and_drawable_and_every_page_is_reachable(browser, studio_server,
                                                                      shots_dir, size):
    width, height = SIZES[size]
    s = new_studio_page(browser, studio_server, shots_dir, "/",
                        viewport={"width": width, "height": height})
    try:
        s.click("Read my handwriting")
        s.wait_for_title("Draw")
        canvas = s.wait_for(s.page.locator("canvas.upper-canvas"), "the drawing canvas")
        box = canvas.evaluate(CLIPPING)
        assert box["width"] == 280, box
        assert box["left"] >= 0 and box["right"] <= box["viewport"], box
        assert not box["clipped"], f"the canvas is cut by an ancestor at {size}: {box}"
        s.draw(SEVEN)
        assert s.metric("The network reads") == "7"
        s.shot(f"layout-{size}-draw", full=False)
        for name in PAGES:
            show_navigation(s)
            s.go(name)
            hide_navigation(s)
            s.assert_no_errors(f"{name} at {size}")
            s.shot(f"layout-{size}-{name.split()[0].lower()}", full=False)
        s.wait_for(s.button("Build network"), "the Build button")
    finally:
        s.close()


def test_build_and_its_next_step_are_in_view_without_scrolling(browser, studio_server,
                                                              shots_dir):
    s = new_studio_page(browser, studio_server, shots_dir, "/",
                        viewport={"width": 1366, "height": 768})
    try:
        button = s.wait_for(s.button("Build network"), "the Build button")
        assert button.bounding_box()["y"] + button.bounding_box()["height"] <= 768, \
            f"the Build button is below the fold: {button.bounding_box()}"
        s.rerun(button.click, what="clicking Build network")
        notice = s.wait_for(s.alerts("Success").filter(has_text="Network built."),
                            "the 'Network built' notice")
        box = notice.bounding_box()
        assert box["y"] + box["height"] <= 768, f"the next step is below the fold: {box}"
        s.shot("layout-hd-built", full=False)
    finally:
        s.close()
