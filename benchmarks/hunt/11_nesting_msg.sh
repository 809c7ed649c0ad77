#!/bin/bash
# A block mapping nested 1,000 deep under an item's `measures:`: the error line carries the parser's English text.
. /tmp/hunt/repro/common.sh
R=/tmp/hunt/repos/r11; rm -rf $R; mkdir -p $R/ledgers; echo "year: 2018" > $R/taizhang.yaml
python - $R <<'PY'
import sys
lines = ["  " * (k + 3) + f"k{k}:" for k in range(1000)]; lines[-1] += " x"
open(sys.argv[1] + "/ledgers/CH.yaml", "w").write("code: CH\nname: 深\nitems:\n  - id: CH-1\n    title: 深\n    due: 2018-06-20\n    measures:\n" + "\n".join(lines) + "\n")
PY
TAIZHANG_NO_CACHE=1 t $TZ $R check; cat /tmp/hunt/repro/last.err
