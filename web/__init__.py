"""Templates and static assets (served by the app itself; no CDN)."""
