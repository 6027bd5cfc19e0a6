import sys

from bench.drill.run import main

sys.exit(main())
