"""The bundle's entry point: the same `smartqueue` command as the console script, for every role."""

import multiprocessing
import sys

from smartqueue.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a no-op on Linux; on Windows a frozen child process would re-run main()
    sys.exit(main())
