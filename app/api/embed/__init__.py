"""The embeds: pure renderers from the public JSON to HTML, SVG and oEmbed (README.md here)."""
