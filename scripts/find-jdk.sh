# Finds a JDK that can run GradDrop. Source this file, then call:
#
#   graddrop_find_jdk [MIN_VERSION]   prints the home of a JDK whose `java -version` is at least
#                                     MIN_VERSION (default GRADDROP_MIN_JAVA), or returns 1
#   graddrop_no_jdk_help              prints how to install one, for standard error
#
# Candidates, in order: $JAVA_HOME, the java on PATH, then the usual install locations
# (/usr/lib/jvm, /usr/java, /opt/java, /opt/jdk*, Homebrew, macOS /Library/Java, SDKMAN, ~/.jdks).
# Setting GRADDROP_JDK_DIRS to a space-separated list of JDK homes replaces those locations.
# Past $JAVA_HOME and PATH, the newest JDK found wins.

# The jar is compiled with maven.compiler.release 25 (pom.xml), so an older JVM cannot load it
# even though the FFM API it uses is final since Java 22.
GRADDROP_MIN_JAVA="${GRADDROP_MIN_JAVA:-25}"

# Prints the feature version (8, 17, 25, ...) of the java in JDK home $1, or nothing.
graddrop_java_version() {
    local java="$1/bin/java"
    [ -x "$java" ] || return 1
    local line
    line="$("$java" -version 2>&1 | grep -m1 ' version "')" || return 1
    local version="${line#* version \"}"
    version="${version%%\"*}"
    # Java 8 and older report "1.8.0_392"; later ones "25.0.1" or "25-ea".
    if [ "${version%%.*}" = "1" ]; then
        version="${version#1.}"
    fi
    version="${version%%[!0-9]*}"
    [ -n "$version" ] || return 1
    printf '%s\n' "$version"
}

# Prints the JDK homes found in the usual install locations, one per line.
graddrop_jdk_locations() {
    local home
    if [ -n "${GRADDROP_JDK_DIRS:-}" ]; then
        for home in $GRADDROP_JDK_DIRS; do
            printf '%s\n' "$home"
        done
        return 0
    fi
    if [ -x /usr/libexec/java_home ]; then
        /usr/libexec/java_home -v "$GRADDROP_MIN_JAVA+" 2>/dev/null || true
    fi
    for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/java \
        /usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
        /opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
        /Library/Java/JavaVirtualMachines/*/Contents/Home \
        "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
        if [ -d "$home" ]; then
            printf '%s\n' "$home"
        fi
    done
    return 0
}

graddrop_find_jdk() {
    local min="${1:-$GRADDROP_MIN_JAVA}"
    local home version

    # JAVA_HOME, then the java on PATH, are the user's choice: take the first that is new enough.
    local chosen=()
    if [ -n "${JAVA_HOME:-}" ]; then
        chosen+=("$JAVA_HOME")
    fi
    local on_path
    if on_path="$(command -v java 2>/dev/null)"; then
        on_path="$(readlink -f "$on_path" 2>/dev/null || printf '%s' "$on_path")"
        chosen+=("${on_path%/bin/java}")
    fi
    for home in ${chosen[@]+"${chosen[@]}"}; do
        if version="$(graddrop_java_version "$home")" && [ "$version" -ge "$min" ]; then
            printf '%s\n' "$home"
            return 0
        fi
    done

    local best="" best_version=0
    while IFS= read -r home; do
        version="$(graddrop_java_version "$home")" || continue
        if [ "$version" -ge "$min" ] && [ "$version" -gt "$best_version" ]; then
            best="$home"
            best_version="$version"
        fi
    done < <(graddrop_jdk_locations)

    [ -n "$best" ] || return 1
    printf '%s\n' "$best"
}

graddrop_no_jdk_help() {
    cat <<HELP
graddrop: no Java $GRADDROP_MIN_JAVA or newer found (looked at JAVA_HOME, the java on PATH,
/usr/lib/jvm, /usr/java, /opt/java, Homebrew, /Library/Java/JavaVirtualMachines, SDKMAN and ~/.jdks).
Install one, then run again or set JAVA_HOME to it:
  Debian/Ubuntu: sudo apt-get install openjdk-25-jdk
                 (or temurin-25-jdk after adding the Adoptium repository, https://adoptium.net)
  Fedora/RHEL:   sudo dnf install java-25-openjdk-devel
  macOS:         brew install openjdk@25
  Any system:    curl -s https://get.sdkman.io | bash, then: sdk install java 25-tem
HELP
}

# Exports JAVA_HOME as the newest suitable JDK, or prints what to install and exits with 1.
graddrop_require_jdk() {
    local java_home
    if ! java_home="$(graddrop_find_jdk)"; then
        graddrop_no_jdk_help >&2
        exit 1
    fi
    export JAVA_HOME="$java_home"
}
