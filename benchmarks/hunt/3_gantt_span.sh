#!/bin/bash
# N items due in 2018 and one due 2918-06-30 (a typo for 2018): the chart spans 900 years.
# gantt cost = rows x months of span (text and html); due 9999-12-31 -> OverflowError traceback.
. /tmp/hunt/repro/common.sh
for n in ${@:-1000 2000 4000 8000}; do R=/tmp/hunt/repos/r3-$n; mk typo $n $R
  t $TZ $R gantt
  t $TZ $R gantt --format html --out /tmp/hunt/repro/g.html; ls -la /tmp/hunt/repro/g.html | awk '{print "   html bytes", $5}'
done
R=/tmp/hunt/repos/r3-9999; mk typo9999 10 $R; t $TZ $R gantt; grep -m1 Error /tmp/hunt/repro/last.err
