#!/bin/bash
# notices.yaml holding N notices already issued; `notice` issues 50 more (50 yellow items, 50 units):
# every new entry recomposes the whole, growing notices.yaml -> O(new x existing)
. /tmp/hunt/repro/common.sh
for n in ${@:-1000 2000 4000 8000}; do R=/tmp/hunt/repos/r2-$n; mk notices $n $R
  t $TZ $R notice --format md --out /tmp/hunt/repro/n.md
done
