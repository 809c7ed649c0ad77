"""`python -m taizhang.cli`."""

from taizhang.cli.app import main

main()
