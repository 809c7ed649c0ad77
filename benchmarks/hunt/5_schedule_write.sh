#!/bin/bash
# A chain of N items (each after the previous), no due, project deadline: schedule --write sets N dues,
# one splice at a time, each re-scanning the text (windows._scan) and the item list (_item_index).
. /tmp/hunt/repro/common.sh
for n in ${@:-500 1000 2000 4000}; do R=/tmp/hunt/repos/r5-$n; mk chain_dl $n $R
  TAIZHANG_NO_CACHE=1 t $TZ $R schedule CH --write
done
