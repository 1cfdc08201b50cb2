#!/bin/sh
# tools/deps.sh - install the Debian packages a make target needs.
#   sh tools/deps.sh [-v] LOG PACKAGE...
# The Makefile runs it once per make, with the packages of the goals given.
# Silent when every package is installed (-v: says so).  Otherwise it
# installs the missing ones with apt-get, as root or through sudo, with
# apt's and dpkg's output in LOG, shown only if apt-get fails.  A user who
# is neither root nor has sudo gets the apt-get line to run as root.
set -u
verbose=0
if [ "${1:-}" = -v ]; then
	verbose=1
	shift
fi
log=$1
shift

if ! command -v dpkg-query >/dev/null 2>&1; then
	[ $verbose = 0 ] ||
		echo "make deps: no dpkg-query (not Debian?): install the equivalents of: $*" >&2
	exit 0
fi

# One dpkg-query for all of them: "install ok installed <name>" when
# installed; a package dpkg never heard of is only named on stderr.
installed=" $(dpkg-query -W -f='${Status} ${Package}\n' "$@" 2>/dev/null |
	awk '$3 == "installed" { printf "%s ", $4 }')"
missing=
for p in "$@"; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }
if [ -z "$missing" ]; then
	[ $verbose = 0 ] || echo "make deps: installed: $*"
	exit 0
fi

as_root="apt-get install --no-install-recommends $missing"
if [ "$(id -u)" = 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	cat >&2 <<EOF
make deps: missing Debian packages: $missing
make deps: you are not root and sudo is not installed; as root, run:

    $as_root

EOF
	exit 1
fi

# (a subshell: a failed redirection would end the script)
if ! (mkdir -p "$(dirname "$log")" && : >"$log") 2>/dev/null; then
	log=$(mktemp "${TMPDIR:-/tmp}/mmstress-deps.XXXXXX") || exit 1
fi
echo "make deps: installing $missing (apt-get${sudo:+ through sudo}; log: $log)"
# shellcheck disable=SC2086
if $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$log" 2>&1 &&
   $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	-o Dpkg::Use-Pty=0 --no-install-recommends $missing >>"$log" 2>&1; then
	exit 0
fi
{
	echo "make deps: apt-get failed; the end of $log:"
	tail -n 30 "$log" | sed 's/^/    /'
	echo "make deps: to install them by hand, as root:"
	echo
	echo "    $as_root"
	echo
} >&2
exit 1
