# Functions shared by the native check scripts, which source this file.

# gd_require_tool TOOL PACKAGE exits with 1 and names the Debian package when TOOL is not found.
gd_require_tool() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "$1 not found: install it (Debian/Ubuntu: apt-get install $2)" >&2
        exit 1
    fi
}

# gd_build_dir SCRIPT EXAMPLE ARGS... checks that ARGS is one build folder inside a target/ folder,
# so that 'mvn clean' removes it, and sets build_dir.
gd_build_dir() {
    gd_script=$1
    gd_example=$2
    shift 2
    if [ $# -ne 1 ]; then
        echo "usage: $gd_script BUILD_DIR (a folder inside target/, for example $gd_example)" >&2
        exit 2
    fi
    build_dir=$1
    case "$build_dir" in
        target/* | */target/*) ;;
        *)
            echo "invalid build folder '$build_dir': it must lie inside a target/ folder so that 'mvn clean' removes it" >&2
            exit 2
            ;;
    esac

    # A '..' after the last target/ could lead out of it again.
    case "/${build_dir##*target/}/" in
        */../*)
            echo "invalid build folder '$build_dir': it must not contain '..' after target/, which leads out of that folder" >&2
            exit 2
            ;;
    esac
}
