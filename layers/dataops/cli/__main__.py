"""`python -m dataops.cli` runs the same CLI as the `dataops` console script."""

from dataops.cli.main import main

main()
