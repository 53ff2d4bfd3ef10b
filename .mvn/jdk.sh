# Sourced by ./mvnw and ./maestral: exports JAVA_HOME pointing at a JDK 25 or newer.
# Order: $JAVA_HOME when it is 25 or newer, else the newest JDK >= 25 under /usr/lib/jvm
# (or /Library/Java/JavaVirtualMachines on macOS), else fail saying what to install.

maestral_java_feature() {
  # Prints the feature release (17, 25, ...) of the JDK at $1, or nothing.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

maestral_find_jdk() {
  if [ -n "${JAVA_HOME-}" ]; then
    v=$(maestral_java_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
  fi
  best="" bestv=0
  case $- in *f*) had_f=1; set +f ;; *) had_f=0 ;; esac
  for d in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$d" ] || continue
    v=$(maestral_java_feature "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best=$d bestv=$v; fi
  done
  [ "$had_f" = 1 ] && set -f
  if [ -z "$best" ]; then
    echo "maestral needs a JDK 25 or newer, and found none: JAVA_HOME=${JAVA_HOME:-<unset>}," >&2
    echo "nothing suitable under /usr/lib/jvm. Install one (for example Temurin 25:" >&2
    echo "'apt-get install temurin-25-jdk' from the Adoptium repository) or set JAVA_HOME." >&2
    exit 1
  fi
  JAVA_HOME=$best
  export JAVA_HOME
}

maestral_find_jdk
