"""Look at a PDF the way a person would: its first page as a PNG in test-artifacts/."""

from __future__ import annotations

import subprocess
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def first_page(pdf: Path, name: str, dpi: int = 60) -> Path:
    """Render page 1 of ``pdf`` to ``test-artifacts/<name>-1.png`` with pdftoppm."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    argv = [
        "pdftoppm",
        "-png",
        "-r",
        str(dpi),
        "-f",
        "1",
        "-l",
        "1",
        str(pdf),
        str(ARTIFACTS / name),
    ]
    subprocess.run(argv, check=True)
    return next(ARTIFACTS.glob(f"{name}-*.png"))


def ink(png: Path) -> int:
    """Count the dark pixels of an image: a blank page has none."""
    from PIL import Image

    with Image.open(png) as image:
        return sum(1 for v in image.convert("L").tobytes() if v < 128)
