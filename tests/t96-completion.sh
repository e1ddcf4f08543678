#!/bin/sh
# t96-completion.sh - completion/gcloud-run-deploy.bash hands completion to
# gcloud's own completer (the SDK's completion.bash.inc): the words of
# `gcloud-run-deploy ARGS` complete as `gcloud run deploy ARGS`, the
# wrapper's as gcloud's.  COMP_WORDS are split as bash splits them with
# the default COMP_WORDBREAKS ("--f=v" is "--f" "=" "v").  SKIPs without
# bash or the SDK's completion file.  Also: `make install` installs it.
. "$(dirname "$0")/lib.sh"

SDKCOMP=/usr/lib/google-cloud-sdk/completion.bash.inc
COMP=$TOP/completion/gcloud-run-deploy.bash

# staged install: the file lands where bash-completion looks for it.
if make -s -C "$TOP" -o all install B="$B" DESTDIR="$T/stage" \
    PREFIX=/usr/local >"$T/make.log" 2>&1; then
	f=$T/stage/usr/local/share/bash-completion/completions/gcloud-run-deploy
	if cmp -s "$COMP" "$f"; then
		ok "make install: share/bash-completion/completions/gcloud-run-deploy"
	else not_ok "make install: completion file" "$(ls -R "$T/stage")"; fi
	l=$T/stage/usr/local/libexec/gcloud-run-deploy/gcloud
	is_link=$(readlink "$l" || :)
	if [ "$is_link" = ../../bin/gcloud-run-deploy ]; then
		ok "make install: the libexec gcloud link is relative"
	else not_ok "make install: libexec link" "got '$is_link'"; fi
	if cmp -s "$TOP/doc/report.schema.json" \
	    "$T/stage/usr/local/share/gcloud-run-deploy/report.schema.json"; then
		ok "make install: share/gcloud-run-deploy/report.schema.json"
	else not_ok "make install: the report's schema" "$(ls -R "$T/stage")"; fi
	if make -s -C "$TOP" uninstall DESTDIR="$T/stage" PREFIX=/usr/local \
	    >"$T/make.log" 2>&1; then
		left=$(find "$T/stage" ! -type d)
		[ -z "$left" ] && ok "make uninstall removes every installed file" ||
			not_ok "make uninstall removes every installed file" "$left"
	else not_ok "make uninstall" "$(tail -5 "$T/make.log")"; fi
else
	not_ok "make install into a staging folder" "$(tail -5 "$T/make.log")"
fi

if ! command -v bash >/dev/null 2>&1; then
	skip "t96: bash is not installed"
	done_testing
	exit
fi
if [ ! -r "$SDKCOMP" ] || ! have_gcloud; then
	skip "t96: no $SDKCOMP (the Google Cloud SDK): no completion cases"
	done_testing
	exit
fi

# The harness: c LINE WORDS... prints COMPREPLY (one per line) after
# completing LINE with the function `complete -p` names for WORDS[0].
cat >"$T/h.bash" <<'EOF'
c() {
	local line=$1 f
	shift
	COMP_LINE=$line COMP_POINT=${#line}
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
	f=$(complete -p "${COMP_WORDS[0]##*/}" 2>/dev/null) || { echo NOSPEC; return; }
	f=${f##*-F }; f=${f%% *}
	COMPREPLY=()
	"$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
	    "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s|\n' "${COMPREPLY[@]}"
}
EOF
# comp NAME SETUP LINE WORDS...: run c in a fresh bash after SETUP.
comp() {
	_n=$1 _setup=$2
	shift 2
	bash -c ". '$T/h.bash'; $_setup; c \"\$@\"" c "$@" >"$T/out" 2>"$T/err" || :
}
OURS=". '$COMP'"
BOTH=". '$SDKCOMP'; . '$COMP'"
# has NAME WANT: WANT (with its trailing space or =) is one of the replies.
has() {
	if grep -qxF -- "$2|" "$T/out"; then ok "$1"; else
		not_ok "$1" "no '$2' in:" "$(head -c 400 "$T/out")" \
		    "$(head -c 300 "$T/err")"
	fi
}

comp x "$OURS" "gcloud-run-deploy --ima" gcloud-run-deploy --ima
has "gcloud-run-deploy --ima<TAB> completes to --image=" "--image="
comp x "$BOTH" "gcloud-run-deploy --ima" gcloud-run-deploy --ima
has "... also with the SDK's file sourced first" "--image="
comp x "$OURS" "gcloud-run-deploy svc --no-traf" gcloud-run-deploy svc --no-traf
has "after the service name: --no-traf<TAB> -> --no-traffic" "--no-traffic "
comp x "$OURS" "gcloud-run-deploy --regi" gcloud-run-deploy --regi
has "--regi<TAB> -> --region=" "--region="
comp x "$OURS" "gcloud-run-deploy --execution-environment=ge" \
	gcloud-run-deploy --execution-environment = ge
has "a flag's value after '=': gen2, from gcloud" "gen2 "
bash -c ". '$SDKCOMP'; . '$T/h.bash'; c \"\$@\"" c \
	"gcloud run deploy --execution-environment=ge" gcloud run deploy \
	--execution-environment = ge >"$T/direct" 2>&1 || :
if cmp -s "$T/out" "$T/direct" && [ -s "$T/out" ]; then
	ok "... the same replies as gcloud run deploy gives"
else not_ok "same replies as gcloud" "ours: $(cat "$T/out")" \
	"gcloud: $(cat "$T/direct")"; fi
comp x "$OURS" "/opt/bin/gcloud-run-deploy --ima" /opt/bin/gcloud-run-deploy --ima
has "called by a path: still --image=" "--image="

comp x "$OURS" "gcloud-run-deploy --pre" gcloud-run-deploy --pre
has "the shim's own: --pre<TAB> -> --preflight=" "--preflight="
has "... and --preflight-format=" "--preflight-format="
comp x "$OURS" "gcloud-run-deploy --preflight=o" gcloud-run-deploy --preflight = o
has "--preflight=o<TAB> -> only" "only "
has "... and off" "off "
grep_not "... nothing else" "$T/out" '^(enforce|warn|plan)'
comp x "$OURS" "gcloud-run-deploy svc --preflight-format=" \
	gcloud-run-deploy svc --preflight-format =
has "--preflight-format=<TAB> -> json" "json "

comp x "$OURS" "gcloud ru" gcloud ru
has "gcloud (the wrapper's name) ru<TAB> -> run, as gcloud" "run "
comp x "$BOTH" "gcloud ru" gcloud ru
has "... the SDK's own completion for gcloud is kept" "run "
bash -c ". '$SDKCOMP'; . '$COMP'; complete -p gcloud; complete -p gcloud-run-deploy" \
	>"$T/out" 2>&1 || :
grep_file "the SDK's gcloud completion is not replaced" "$T/out" \
	'-F _python_argcomplete gcloud$'
grep_file "gcloud-run-deploy completes with our function" "$T/out" \
	'-F _gcloud_run_deploy gcloud-run-deploy$'

bash -c ". '$T/h.bash'; . '$COMP'; COMP_LINE=x
	c 'gcloud-run-deploy --ima' gcloud-run-deploy --ima >/dev/null
	printf '%s\n' \"\$COMP_LINE\" \"\${COMP_WORDS[0]}\"" >"$T/out" 2>&1 || :
if [ "$(cat "$T/out")" = "gcloud-run-deploy --ima
gcloud-run-deploy" ]; then
	ok "the caller's COMP_LINE and COMP_WORDS are left as they were"
else not_ok "caller's COMP_* kept" "$(cat "$T/out")"; fi
done_testing
