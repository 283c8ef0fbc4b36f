# bash completion for kscan(1). The block between the "generated" lines is written by
# tests/lib/cligen.c from the command table (scanner/cli/cli_table.c), the same table
# kscan's parser and --help use; tests/packaging/usage.sh fails when it is out of date.

# generated: completion (KSCAN_DOCS_UPDATE=1 meson test -C build packaging-usage)
# every option each command takes: _kscan_words CMD [VERB]
_kscan_words()
{
	local common="--help --version --quiet --verbose --log"
	case "$1${2:+ $2}" in
	"scan")
		echo "$common" \
			--root \
			--signatures \
			--no-default-signatures \
			--keys \
			--require-signed \
			--max-signature-age \
			--config \
			--post \
			--splay \
			--format \
			--pretty \
			--output \
			--color \
			--deep \
			--jobs \
			--path \
			--exclude \
			--one-file-system \
			--include-remote \
			--max-file-size \
			--max-duration \
			--no-low-priority
		;;
	"send")
		echo "$common" \
			--config \
			--post \
			--splay
		;;
	"signatures lint")
		echo "$common"
		;;
	"signatures list")
		echo "$common" \
			--signatures \
			--no-default-signatures \
			--keys \
			--require-signed
		;;
	"signatures sign")
		echo "$common" \
			--key
		;;
	"signatures verify")
		echo "$common" \
			--keys
		;;
	"signatures hash")
		echo "$common" \
			--id \
			--product \
			--vendor \
			--role \
			--jobs \
			--output
		;;
	"packages")
		echo "$common" \
			--root \
			--format \
			--pretty
		;;
	*) echo "$common" ;;
	esac
}

_kscan_commands="scan send signatures packages help version"
_kscan_signatures="lint list sign verify hash"

# options whose value is the next word: that word is neither command nor verb
_kscan_takes_value()
{
	case $1 in
	--root | -r | \
	--signatures | -s | \
	--keys | \
	--max-signature-age | \
	--config | -c | \
	--post | \
	--splay | \
	--format | -f | \
	--output | -o | \
	--color | \
	--log | \
	--jobs | -j | \
	--path | \
	--exclude | \
	--max-file-size | \
	--max-duration | \
	--key | \
	--id | \
	--product | \
	--vendor | \
	--role)
		return 0
		;;
	esac
	return 1
}

# completes the value of option PREV for command KEY ("", "signatures hash")
_kscan_value()
{
	local key=$1 prev=$2 cur=$3
	case $key:$prev in
	"packages:--root" | "packages:-r")
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	*:--root | *:-r)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	*:--signatures | *:-s)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	*:--keys)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	*:--max-signature-age)
		:
		;;
	*:--config | *:-c)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	"send:--post")
		:
		;;
	*:--post)
		:
		;;
	*:--splay)
		:
		;;
	"packages:--format" | "packages:-f")
		mapfile -t COMPREPLY < <(compgen -W "tsv json" -- "$cur")
		;;
	*:--format | *:-f)
		mapfile -t COMPREPLY < <(compgen -W "json text ecs ecs-bulk splunk-hec cyclonedx ocsf" -- "$cur")
		;;
	"signatures hash:--output" | "signatures hash:-o")
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	*:--output | *:-o)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	*:--color)
		mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
		;;
	*:--log)
		mapfile -t COMPREPLY < <(compgen -W "stderr syslog" -- "$cur")
		;;
	"signatures hash:--jobs" | "signatures hash:-j")
		:
		;;
	*:--jobs | *:-j)
		:
		;;
	*:--path)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	*:--exclude)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	*:--max-file-size)
		:
		;;
	*:--max-duration)
		:
		;;
	*:--key)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	*:--id)
		:
		;;
	*:--product)
		:
		;;
	*:--vendor)
		:
		;;
	*:--role)
		mapfile -t COMPREPLY < <(compgen -W "install remnant installer" -- "$cur")
		;;
	*) return 1 ;;
	esac
	return 0
}
# end: completion

_kscan()
{
	local cur prev cmd="" verb="" i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	for ((i = 1; i < COMP_CWORD; i++)); do
		if _kscan_takes_value "${COMP_WORDS[i - 1]}"; then
			continue
		fi
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=${COMP_WORDS[i]}
			elif [ "$cmd" = signatures ] && [ -z "$verb" ]; then
				verb=${COMP_WORDS[i]}
			fi
			;;
		esac
	done

	if _kscan_value "$cmd${verb:+ $verb}" "$prev" "$cur"; then
		return
	fi

	if [ -z "$cmd" ] && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_kscan_commands" -- "$cur")
		return
	fi
	if [ "$cmd" = signatures ] && [ -z "$verb" ] && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_kscan_signatures" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_kscan_words "${cmd:-scan}" "$verb")" -- "$cur")
		return
	fi
	# lint PATH..., sign/verify PACK..., hash DIR...
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -F _kscan kscan
