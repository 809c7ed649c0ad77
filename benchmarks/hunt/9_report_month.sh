#!/bin/bash
# N items, each led by a different unit: report month ranks units by counting, per unit, the units ahead.
. /tmp/hunt/repro/common.sh
for n in ${@:-1000 2000 4000 8000}; do R=/tmp/hunt/repos/r9-$n; mk items_units $n $R
  TAIZHANG_NO_CACHE=1 t $TZ $R report month
done
