#!/bin/bash
# CSV of N projects (one row each): each ledger written globs ledgers/ and .taizhang/tmp -> O(N^2)
. /tmp/hunt/repro/common.sh
for n in ${@:-1000 2000 4000 8000}; do R=/tmp/hunt/repos/r4-$n; rm -rf $R; mkdir -p $R/ledgers; echo "year: 2018" > $R/taizhang.yaml; git init -q $R
  python /tmp/hunt/csvgen.py many $n $R/in.csv
  t $TZ $R import $R/in.csv
done
