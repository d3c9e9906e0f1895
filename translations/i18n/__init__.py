"""UI message catalogs (gettext .po/.mo) for the console and resident pages."""

from __future__ import annotations

from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
