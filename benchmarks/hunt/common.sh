# sourced: fresh repo R from gen.py scenario $1 with n=$2; timing helper
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)  # (taizhang on PATH)
export XDG_CACHE_HOME=${TMPDIR:-/tmp}/hunt-xdg COLUMNS=120
mk() { python "$HERE/gen.py" "$1" "$2" "$3" --git; }
t() { local s=$(date +%s.%N); "$@" >${TMPDIR:-/tmp}/hunt-last.out 2>${TMPDIR:-/tmp}/hunt-last.err; local rc=$?; echo "$(echo "$(date +%s.%N) - $s" | bc | xargs printf '%.2f') s rc=$rc  :: $(echo "${*:3}" | cut -c1-110)"; }
TZ="taizhang --as-of 2018-06-15 --no-color --dir"
