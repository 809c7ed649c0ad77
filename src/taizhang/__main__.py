"""`python -m taizhang`."""

from taizhang.cli.app import main

main()
