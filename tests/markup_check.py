"""How Markdown text will look in Streamlit: rendered, and with its after-parsing transforms.

Streamlit renders alert and caption bodies with CommonMark, then rewrites the
resulting text: addresses and e-mail addresses become links (GFM autolink
literals) and ``:name:`` shortcodes become emoji or icons. A body is literal
when it renders to no element at all and none of those patterns survives.
"""

import html
import re

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("gfm-like", {"linkify": True})
AFTER_PARSING = {
    "address": re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE),
    "e-mail": re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),
    "shortcode": re.compile(r":[\w+/-]+:"),
}
MARKUP = ("<a ", "<img", "<code", "<strong", "<em", "<h1", "<h2", "<ul", "<ol", "<blockquote")


def rendered(markdown):
    """The HTML CommonMark (with GFM autolinks) makes of ``markdown``."""
    return _MARKDOWN.render(markdown)


def text_nodes(markdown):
    """The rendered text, tags removed and entities decoded (what a text transform sees)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", rendered(markdown)))


def shown_text(markdown):
    """What a reader sees: the rendered text without invisible joiners, spaces collapsed."""
    return " ".join(text_nodes(markdown).replace("\u2060", "").split())


def markup_in(markdown):
    """What in ``markdown`` would not show as literal text: elements and transformed patterns."""
    html_out = rendered(markdown)
    found = [tag for tag in MARKUP if tag in html_out]
    text = text_nodes(markdown)
    return found + [what for what, pattern in AFTER_PARSING.items() if pattern.search(text)]
