# bash completion for kscan(1). Options per subcommand follow `kscan CMD --help`; the test
# tests/integration/completion.sh checks them against the binary.

_kscan_words()
{
	local cmd=$1 verb=$2
	local common="--help --version --quiet --verbose --log"
	case $cmd in
	scan)
		echo "$common --root --signatures --no-default-signatures --format --pretty --keys"
		echo "--require-signed --max-signature-age --output --splay --deep --jobs --path"
		echo "--exclude"
		echo "--one-file-system --include-remote --max-file-size --max-duration"
		echo "--no-low-priority --config --post --color"
		;;
	send) echo "$common --config --post --splay" ;;
	signatures)
		case $verb in
		list) echo "$common --signatures --no-default-signatures --keys --require-signed" ;;
		sign) echo "$common --key" ;;
		verify) echo "$common --keys" ;;
		hash) echo "$common --id --product --vendor --role --jobs --output" ;;
		*) echo "$common" ;;
		esac
		;;
	packages) echo "$common --root --format --pretty" ;;
	*) ;;
	esac
}

# Options whose value is the next word: that word is neither the command nor a verb.
_kscan_takes_value()
{
	case $1 in
	--format | -f | --log | --role | --root | -r | --keys | --path | --signatures | -s | \
		--output | -o | --key | --exclude | --config | -c | --jobs | -j | --splay | \
		--max-file-size | --max-duration | --id | --product | --vendor | --post | \
		--max-signature-age | --color)
		return 0
		;;
	esac
	return 1
}

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

	case $prev in
	--format | -f)
		if [ "$cmd" = packages ]; then
			mapfile -t COMPREPLY < <(compgen -W "tsv json" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W \
				"json text ecs ecs-bulk splunk-hec cyclonedx ocsf" -- "$cur")
		fi
		return
		;;
	--color)
		mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
		return
		;;
	--log)
		mapfile -t COMPREPLY < <(compgen -W "stderr syslog" -- "$cur")
		return
		;;
	--role)
		mapfile -t COMPREPLY < <(compgen -W "install remnant installer" -- "$cur")
		return
		;;
	--root | -r | --keys | --path)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	--signatures | -s | --output | -o | --key | --exclude | --config | -c)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--jobs | -j | --splay | --max-file-size | --max-duration | --id | --product | --vendor | \
		--post | --max-signature-age)
		return
		;;
	esac

	if [ -z "$cmd" ] && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "scan send signatures packages help version" \
			-- "$cur")
		return
	fi
	if [ "$cmd" = signatures ] && [ -z "$verb" ] && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "lint list sign verify hash" -- "$cur")
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
