"""`python -m mockserver` is `contract-mock`."""

from mockserver.cli import main

main()
