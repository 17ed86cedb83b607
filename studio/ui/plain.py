"""Text from outside shown as plain text, never as Markdown.

Streamlit renders the text of ``st.info``, ``st.error``, ``st.caption`` and
friends as Markdown (links, images, HTML entities, colours, LaTeX). Anything
that did not come from this code -- a share link's values, a CSV's column names
and values, a file name, a model file's contents, an error message quoting any
of them -- goes through :func:`plain` first, which backslash-escapes every
ASCII punctuation character: CommonMark then shows each one literally, so
``[click](http://ev.il)`` stays those characters and no link, image or request
can come of it.

Streamlit's renderer also turns addresses in the *resulting text* into links
(``http://...``, ``www.``, e-mail addresses) and ``:name:`` into emoji or icons,
after the escapes are gone; an invisible word joiner (U+2060) after every ``:``
and ``@`` and after ``www`` keeps those patterns from matching, while the text
looks the same.
"""

import re
import string

import streamlit as st

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_JOINER = "\u2060"  # WORD JOINER: invisible, and not a character any link pattern accepts
_BREAKS = (re.compile(r"(\\[:@])"), re.compile(r"(?i)(www)(?=\\\.)"))


def plain(text):
    """``text`` (any object, shown with ``str``) escaped so Markdown shows it literally."""
    escaped = _PUNCTUATION.sub(r"\\\1", str(text))
    for pattern in _BREAKS:
        escaped = pattern.sub(r"\1" + _JOINER, escaped)
    return escaped


def say(kind, text, where=st):
    """``where.<kind>(plain(text))``: ``kind`` is "error", "warning", "info", "success" or
    "caption"; ``where`` is ``st`` or a container such as a column."""
    return getattr(where, kind)(plain(text))
