"""Supervision charts as inline SVG, drawn on the server (no JavaScript, no CDN).

Pure functions of their data, in the style of `hall.common.svg`: the same fonts and colours,
every text escaped here, the result safe to embed. Each chart is `role="img"` with a `<title>`
and a `<desc>` that says in words what the picture shows; the page puts a data table next to it.
Series differ by more than colour (a dashed line, hatched bars) and every bar carries its value
as text, so nothing depends on telling colours apart.
"""
