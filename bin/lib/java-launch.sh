# Sourced by the launchers: runs a Java main with a class-data sharing archive, which roughly halves the JVM's start.
# The archive is used while it is newer than the jar (the JVM refuses one that does not match the jars); without one,
# this run records it on exit (into a temporary file moved into place, so concurrent first runs cannot tear it).
# usage: java_launch ARCHIVE CLASSPATH MAIN-CLASS ARGS...   (the first classpath entry is the application jar)
java_launch() {
  local jsa=$1 cp=$2 main=$3
  shift 3
  local jar=${cp%%:*}
  local opts=(${CALICO_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC} -Xlog:cds=off -Xlog:cds+dynamic=off)
  if [ -f "$jsa" ] && [ "$jsa" -nt "$jar" ]; then
    exec java "${opts[@]}" -XX:SharedArchiveFile="$jsa" -cp "$cp" "$main" "$@"
  fi
  local tmp="$jsa.$$.tmp" rc=0
  java "${opts[@]}" -XX:ArchiveClassesAtExit="$tmp" -cp "$cp" "$main" "$@" || rc=$?
  if [ -s "$tmp" ]; then mv -f "$tmp" "$jsa" 2>/dev/null || rm -f "$tmp"; else rm -f "$tmp"; fi
  return "$rc"
}
