"""`python -m server.cli …`: the same commands as the `tagengo` console script."""

from server.cli import main

main()
