"""`python -m taizhang`."""

from taizhang.launch import main

main()
