"""`python -m conformance`: the same command line as `contract-test`."""

from __future__ import annotations

from conformance.cli import main

if __name__ == "__main__":
    main()
