"""`python -m tradeline.flows.cli`: the same app as the `tradeline` console script."""

from tradeline.flows.cli import main

main()
