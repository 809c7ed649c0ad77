#!/bin/bash
# Tracebacks: a huge duration (800000 / 120000周 / 30000个月) -> every read command; a due of 9999-12-31 -> gantt.
. /tmp/hunt/repro/common.sh
export TAIZHANG_NO_CACHE=1
for dur in 800000 120000周 30000个月; do R=/tmp/hunt/repos/r10; rm -rf $R; mkdir -p $R/ledgers; echo "year: 2018" > $R/taizhang.yaml
  printf "code: CH\nname: 溢出\ndeadline: 2018-12-31\nitems:\n  - id: CH-1\n    title: 长工期\n    duration: $dur\n" > $R/ledgers/CH.yaml
  t $TZ $R check; tail -1 /tmp/hunt/repro/last.err
done
printf "code: CH\nname: 溢出\nitems:\n  - id: CH-1\n    title: 远\n    due: 9999-12-31\n" > $R/ledgers/CH.yaml
t $TZ $R gantt; tail -1 /tmp/hunt/repro/last.err
