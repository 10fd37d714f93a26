import sys

from compogen.cli import main

sys.exit(main())
