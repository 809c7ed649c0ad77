#!/bin/bash
# Ledger CH with N commits, commit k adding item CH-k (histgen.py grow).
# add --commit: git log -p of the whole file history on every HEAD move -> O(N^2) per add;
# log CH-5: every version parsed and diffed item by item.
. /tmp/hunt/repro/common.sh
for n in ${@:-1000 2000 4000}; do R=/tmp/hunt/repos/r7-$n; python /tmp/hunt/histgen.py grow $n $R
  (cd $R && git config user.name t && git config user.email t@t)
  t $TZ $R add CH 新事项 --due 2018-07-01 --commit
  t $TZ $R add CH 新事项 --due 2018-07-01 --commit
  t $TZ $R log CH-5
done
