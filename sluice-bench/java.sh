# Sourced by the benchmark scripts: finding a JDK >= 21.
# java_major JAVA: the major version of that java binary.
# pick_java: the newest java >= 21 of $JAVA, $JAVA_HOME, the PATH and the Debian JVM directory.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }
pick_java() {
  local candidates=()
  [ -n "${JAVA:-}" ] && candidates+=("$JAVA")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  candidates+=("$(command -v java || true)")
  for j in /usr/lib/jvm/*/bin/java; do candidates+=("$j"); done
  local best="" best_v=0
  for j in "${candidates[@]}"; do
    [ -x "$j" ] || continue
    local v; v=$(java_major "$j")
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$j; best_v=$v; fi
  done
  [ -n "$best" ] || { echo "no JDK >= 21 found: set JAVA or JAVA_HOME" >&2; exit 2; }
  echo "$best"
}
