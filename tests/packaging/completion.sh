#!/bin/bash
# Bash completion: sourced as bash-completion would, it completes subcommands, verbs and
# options; every option it offers is one the binary accepts for that command.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

# shellcheck source=/dev/null
. "$KSCAN_SRC/packaging/completion/kscan.bash"

# comp WORD...: completes the last word of "kscan WORD..."; prints the candidates sorted
comp() {
	COMP_WORDS=(kscan "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_kscan
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

check "registered for kscan" bash -c ". '$KSCAN_SRC/packaging/completion/kscan.bash' &&
	complete -p kscan | grep -q -- '-F _kscan'"
got=$(comp "")
check "subcommands: '$got'" [ "$got" = "help packages scan send signatures version " ]
got=$(comp si)
check "si -> signatures" [ "$got" = "signatures " ]
got=$(comp signatures "")
check "signatures verbs: '$got'" [ "$got" = "hash lint list sign verify " ]
got=$(comp signatures v)
check "signatures v -> verify" [ "$got" = "verify " ]
got=$(comp scan --form)
check "scan --form -> --format" [ "$got" = "--format " ]
got=$(comp scan --format "")
check "--format values: '$got'" [ "$got" = "cyclonedx ecs ecs-bulk json ocsf splunk-hec text " ]
got=$(comp --log "")
check "--log values: '$got'" [ "$got" = "stderr syslog " ]
got=$(comp --de)
check "options without a command are scan's: '$got'" [ "$got" = "--deep " ]
# an option's value before the verb is not the verb (scan's options stay offered)
got=$(comp --root /tmp --de)
check "--root /tmp --de -> --deep: '$got'" [ "$got" = "--deep " ]
got=$(comp --format json --de)
check "--format json --de -> --deep: '$got'" [ "$got" = "--deep " ]
got=$(comp -f json --out)
check "-f json --out -> --output: '$got'" [ "$got" = "--output " ]
got=$(comp --root /tmp "")
check "--root /tmp then a command: '$got'" [ "$got" = "help packages scan send signatures version " ]
got=$(comp --color "")
check "--color values: '$got'" [ "$got" = "always auto never " ]
got=$(comp packages --)
check "packages options: '$got'" [ "$got" = "--format --help --log --pretty --quiet --root --verbose --version " ]
got=$(comp packages --format "")
check "packages --format values: '$got'" [ "$got" = "json tsv " ]
got=$(comp signatures hash --r)
check "signatures hash --r -> --role: '$got'" [ "$got" = "--role " ]
got=$(comp signatures hash --role "")
check "--role values: '$got'" [ "$got" = "install installer remnant " ]
mkdir -p "$FX/rootdir" && : >"$FX/rootfile"
got=$(cd "$FX" && comp --root root)
check "--root completes directories only: '$got'" [ "$got" = "rootdir " ]

# every option offered is one the command knows: no "unknown option" or "does not apply"
# (a dummy argument may fail validation: that is the option being parsed, so it is fine)
for spec in "scan" "send" "signatures list" "signatures sign" "signatures verify" \
	"signatures hash" "packages"; do
	read -r -a words <<<"$spec"
	for opt in $(comp "${words[@]}" --); do
		"$KSCAN" "${words[@]}" "$opt" 1 --help >/dev/null 2>"$FX/err"
		if grep -Eq "unknown option|does not apply" "$FX/err"; then
			not_ok "$spec rejects offered $opt"
			sed 's/^/#   /' "$FX/err"
		else
			ok "$spec accepts $opt"
		fi
	done
done
# and the other way round: every option in a command's help is offered
for spec in "scan" "send" "packages"; do
	read -r -a words <<<"$spec"
	offered=" $(comp "${words[@]}" --)"
	for opt in $("$KSCAN" "${words[@]}" --help | sed -n 's/^ *\(-., \)\{0,1\}\(--[a-z-]*\).*/\2/p'); do
		check "$spec offers $opt" grep -q -- " $opt " <<<"$offered "
	done
done
fx_done
