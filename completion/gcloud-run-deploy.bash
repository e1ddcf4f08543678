# bash completion for gcloud-run-deploy                  -*- shell-script -*-
#
# `gcloud-run-deploy ARGS` means `gcloud run deploy ARGS`, so its words are
# completed by gcloud's own completer (_python_argcomplete, from the SDK's
# completion.bash.inc) as if "gcloud run deploy ARGS" had been typed; the
# shim's own --preflight, --preflight-format, --preflight-report and
# --preflight-service-agent are added.  The wrapper
# (libexec/gcloud-run-deploy/gcloud, or an alias named gcloud) completes
# exactly as gcloud: bash looks completions up by the typed word, gcloud.
#
# Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/gcloud-run-deploy, where
# bash-completion loads it on first use; or source it from ~/.bashrc.

# Load the SDK's completer once: the SDK of the gcloud on PATH, else the
# usual install places (Debian package, tarball, google-cloud-cli image).
_gcloud_run_deploy_sdk()
{
	declare -F _python_argcomplete >/dev/null && return 0
	local g f sdk=
	g=$(type -P gcloud) && g=$(readlink -f -- "$g") &&
	    sdk=${g%/bin/gcloud}/completion.bash.inc
	for f in "$sdk" /usr/lib/google-cloud-sdk/completion.bash.inc \
	    /usr/share/google-cloud-sdk/completion.bash.inc \
	    /google-cloud-sdk/completion.bash.inc; do
		if [[ -n $f && -r $f ]]; then
			# shellcheck disable=SC1090
			. "$f"
			declare -F _python_argcomplete >/dev/null && return 0
		fi
	done
	return 1
}

# _gcloud_run_deploy_own CUR PREV PREVPREV WORD: the shim's own options.
# Bash splits "--preflight=o" into "--preflight" "=" "o" when
# COMP_WORDBREAKS holds "=" (the default); right after the "=" the word
# completed (CUR) is empty and COMP_WORDS[COMP_CWORD] (WORD) is "=" itself.
# Then only the value is completed.
_gcloud_run_deploy_own()
{
	local cur=$1 prev=$2 pp=$3 word=$4 flag= val w vals
	if [[ $prev == "=" ]]; then
		flag=$pp val=$cur
	elif [[ $cur == "=" || ($word == "=" && -z $cur) ]]; then
		flag=$prev val=
	elif [[ $cur == --preflight*=* ]]; then
		flag=${cur%%=*} val=${cur#*=}
	fi
	case $flag in
	--preflight) vals="enforce warn only plan off audit" ;;
	--preflight-format) vals="text json" ;;
	--preflight-service-agent) vals="warn block" ;;
	--preflight-report)
		local IFS=$'\n'
		for w in $(compgen -f -- "$val"); do
			[[ -d $w ]] && w+=/ || w+=" "
			if [[ $cur == --* ]]; then
				COMPREPLY+=("$flag=$w")
			else
				COMPREPLY+=("$w")
			fi
		done
		return 0 ;;
	"")
		[[ $cur == --p* ]] || return 1
		for w in --preflight= --preflight-format= --preflight-report= \
		    --preflight-service-agent=; do
			[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
		done
		return 1 ;;
	*) return 1 ;;
	esac
	for w in $vals; do
		[[ $w == "$val"* ]] || continue
		if [[ $cur == --* ]]; then
			COMPREPLY+=("$flag=$w ")
		else
			COMPREPLY+=("$w ")
		fi
	done
	return 0
}

# _gcloud_run_deploy CMD CUR PREV: complete "gcloud run deploy" + the words
# after CMD.  The rewritten COMP_* are local: the caller's stay as they are.
_gcloud_run_deploy()
{
	COMPREPLY=()
	local cmd=${COMP_WORDS[0]} prev=$3
	local pre=${COMP_LINE%%"$cmd"*}
	local head=$((${#pre} + ${#cmd})) new="gcloud run deploy"
	local pp=
	((COMP_CWORD >= 2)) && pp=${COMP_WORDS[COMP_CWORD - 2]}
	# A value of the shim's own option: nothing for gcloud to add.
	_gcloud_run_deploy_own "$2" "$prev" "$pp" \
	    "${COMP_WORDS[COMP_CWORD]}" && return 0
	local -a mine=("${COMPREPLY[@]}")
	_gcloud_run_deploy_sdk || return 0
	local COMP_LINE="$new${COMP_LINE:head}"
	local COMP_POINT=$((COMP_POINT - head + ${#new}))
	local -a COMP_WORDS=(gcloud run deploy "${COMP_WORDS[@]:1}")
	local COMP_CWORD=$((COMP_CWORD + 2))
	[[ $prev == "$cmd" ]] && prev=deploy
	_python_argcomplete gcloud "$2" "$prev"
	COMPREPLY+=("${mine[@]}")
	return 0
}

# For gcloud itself (the wrapper), only when nothing completes it yet.
_gcloud_run_deploy_gcloud()
{
	COMPREPLY=()
	_gcloud_run_deploy_sdk || return 0
	_python_argcomplete "$1" "$2" "$3"
}

complete -o nospace -F _gcloud_run_deploy gcloud-run-deploy
complete -p gcloud >/dev/null 2>&1 ||
    complete -o nospace -F _gcloud_run_deploy_gcloud gcloud
