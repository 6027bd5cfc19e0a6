"""Written notices (受理通知书, 一次性补正告知书, decisions …) rendered as PDF and as print HTML.

A pure renderer: it takes a ``NoticeDocument`` and returns bytes or a template context; it reads
no database and writes no file. Art. 32 of the Administrative Licensing Law requires acceptance
and non-acceptance to be written, sealed and dated; Art. 38 requires a refusal to state the right
to administrative review or litigation, which callers pass as ``footer_notes``.

The same document renders to the same bytes (reportlab's ``invariant`` mode, no timestamps, fixed
document id), so the SHA-256 of a stored notice can be checked later. The bytes depend on the font
file and on the reportlab version, so keep the stored PDF itself; do not expect a re-render after
an upgrade to hash the same.

Chinese text is set in a TrueType CJK font that is embedded (as subsets) in every PDF; see
``cjk_font_path`` for where it comes from.
"""
