import sys

from mmagrae.cli import main

sys.exit(main())
