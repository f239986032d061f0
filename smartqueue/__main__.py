import sys

from smartqueue.cli import main

sys.exit(main())
