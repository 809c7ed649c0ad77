#!/bin/bash
# One item whose `unit:` names N joint units (单位0、单位1、…), yellow on 2018-06-15.
# remind / status --by unit / notice: units_of() per unit -> O(N^3)
. /tmp/hunt/repro/common.sh
for n in ${@:-250 500 1000}; do R=/tmp/hunt/repos/r1-$n; mk units $n $R
  TAIZHANG_NO_CACHE=1 t $TZ $R remind
  TAIZHANG_NO_CACHE=1 t $TZ $R status --by unit
  TAIZHANG_NO_CACHE=1 t $TZ $R notice --format md --out /tmp/hunt/repro/n.md
done
