#!/bin/bash
# close / apply of 2N/3 ids of an N-item ledger in one command: _item_index per id, a text rebuild per insert.
. /tmp/hunt/repro/common.sh
for n in ${@:-1000 2000 4000 8000}; do R=/tmp/hunt/repos/r6-$n; mk flat $n $R
  ids=$(python -c "print(' '.join(f'CH-{i}' for i in range(1,$n+1) if i%3))")
  TAIZHANG_NO_CACHE=1 t $TZ $R close $ids
done
