# Sourced by the launchers: runs a Java main with a class-data sharing archive, which roughly halves the JVM's start.
# The archive is used while it is newer than the jar (the JVM refuses one that does not match the jars); without one,
# this run records it on exit (into a temporary file moved into place, so concurrent first runs cannot tear it).
# usage: java_launch ARCHIVE CLASSPATH MAIN-CLASS ARGS...   (the first classpath entry is the application jar)
# With JAVA_LAUNCH_TRAIN set (arguments for MAIN-CLASS), a missing or stale archive is first recorded by a training run
# of MAIN-CLASS with those arguments, and this run already uses it (an archive records only what its run loaded).
java_launch() {
  local jsa=$1 cp=$2 main=$3
  shift 3
  local jar=${cp%%:*}
  local opts=(${CALICO_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC} -Xlog:cds=off -Xlog:cds+dynamic=off)
  if [ -n "${JAVA_LAUNCH_TRAIN:-}" ] && ! { [ -f "$jsa" ] && [ "$jsa" -nt "$jar" ]; }; then
    local train="$jsa.$$.train"
    java "${opts[@]}" -XX:ArchiveClassesAtExit="$train" -cp "$cp" "$main" $JAVA_LAUNCH_TRAIN </dev/null >/dev/null 2>&1 || true
    if [ -s "$train" ]; then mv -f "$train" "$jsa" 2>/dev/null || rm -f "$train"; else rm -f "$train"; fi
  fi
  if [ -f "$jsa" ] && [ "$jsa" -nt "$jar" ]; then
    exec java "${opts[@]}" -XX:SharedArchiveFile="$jsa" -cp "$cp" "$main" "$@"
  fi
  local tmp="$jsa.$$.tmp" rc=0
  java "${opts[@]}" -XX:ArchiveClassesAtExit="$tmp" -cp "$cp" "$main" "$@" || rc=$?
  if [ -s "$tmp" ]; then mv -f "$tmp" "$jsa" 2>/dev/null || rm -f "$tmp"; else rm -f "$tmp"; fi
  return "$rc"
}
