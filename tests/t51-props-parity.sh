#!/bin/sh
# t51-props-parity.sh - the shim's reading of gcloud's properties
# (src/gcloud/props.c, through tests/drivers/propsget.c) against the real
# gcloud's `gcloud [FLAG] config get-value PROP`, on configuration files,
# active configurations, environment and flags that gcloud reads in
# different ways: each build must print what gcloud prints.  gcloud's side
# does not depend on the build: it runs once a case (through gcloudz), and
# every build's reading is compared with it.
# tests/run: every build
. "$(dirname "$0")/lib.sh"

if ! have_gcloud; then
	skip "t51: /usr/bin/gcloud is not installed: NO PROPERTY PARITY TEST"
	done_testing
	exit
fi
sdk_env_ours
fast_gcloud
SHIMS=${SHIMS:-$SHIM}

# CONFIG|ACTIVE|ENV|FLAG|PROP: config_default (printf %b); active_config
# (empty: "default", as gcloud leaves it; DEL: none; @TEXT: TEXT, printf
# %b); one NAME=VALUE in the environment; one gcloud flag; the property.
cat >"$T/cases" <<'CASES'
[core]\naccount = u@example.com\n||||core/account
[core]\nproject = my-proj-1\n||CLOUDSDK_CORE_PROJECT=env-proj-2||core/project
[core]\nproject = my-proj-1\n||||core/project
[api_endpoint_overrides]\nartifactregistry = https://127.0.0.1:8443/\n||||api_endpoint_overrides/artifactregistry
[core]\n||CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=http://localhost:9/||api_endpoint_overrides/artifactregistry
[core]\ncustom_ca_certs_file = /etc/hostname%%x\n||||core/custom_ca_certs_file
[billing]\nquota_project = bill-1\n||||billing/quota_project
[billing]\nquota_project = bill-1\n|||--billing-project=flag-bill|billing/quota_project
[core]\naccount = u@example.com\n|||--account=f@example.com|core/account
[DEFAULT]\naccount = dflt@example.com\n[core]\n||||core/account
[core]\nACCOUNT: %(x)s@example.com\nx = up\n||||core/account
[core]\naccount = u@example.com\n|@default\n|||core/account
[core]\naccount = u@example.com\n|@NONE|||core/account
[core]\naccount = u@example.com\n|@prod|||core/account
[core]\naccount = u@example.com\n|@prod||--configuration=default|core/account
[core]\naccount = u@example.com\n||CLOUDSDK_ACTIVE_CONFIG_NAME=prod||core/account
[Core]\naccount = u@example.com\n||||core/account
[core]\naccount = u@example.com\n|DEL|||core/account
[core]\naccount = u@example.com\n|@Bad name|||core/account
[core]\naccount = u@example.com\n|@|||core/account
CASES

n=0 nonempty=0
while IFS='|' read -r config active envs flag prop; do
	n=$((n + 1))
	C=$T/c$n
	mkdir -p "$C/configurations"
	printf '%b' "$config" >"$C/configurations/config_default"
	printf '[core]\naccount = prod@example.com\n' \
		>"$C/configurations/config_prod"
	case $active in
	"") printf 'default' >"$C/active_config" ;;
	DEL) ;;
	@*) printf '%b' "${active#@}" >"$C/active_config" ;;
	esac
	what="case $n: $prop${envs:+, $envs}${flag:+, $flag}${active:+, active_config $active}"
	# Every build first: gcloud may rewrite the files it reads.
	k=0
	for s in $SHIMS; do
		k=$((k + 1))
		# shellcheck disable=SC2086
		env CLOUDSDK_CONFIG="$C" $envs "$(dirname "$s")/propsget" \
			$flag "$prop" >"$C.shim$k" 2>&1 </dev/null || :
	done
	# shellcheck disable=SC2086
	env CLOUDSDK_CONFIG="$C" $envs timeout 60 "$GCLOUDZ" $flag config \
		get-value "$prop" >"$C.gcloud" 2>"$C.gcloud-err" </dev/null
	grc=$?
	[ -s "$C.gcloud" ] && [ "$(cat "$C.gcloud")" != "" ] &&
		nonempty=$((nonempty + 1))
	k=0
	for s in $SHIMS; do
		k=$((k + 1))
		sfx=""
		[ $k -eq 1 ] || sfx=" ($(basename "$(dirname "$s")"))"
		# stdout, without its newline (none when unset)
		if [ $grc -eq 0 ] &&
		    [ "$(cat "$C.gcloud")" = "$(cat "$C.shim$k")" ]; then
			ok "$what: as gcloud reads it$sfx"
		else
			not_ok "$what: as gcloud reads it$sfx" \
				"gcloud (exit $grc): '$(cat "$C.gcloud")' $(head -2 "$C.gcloud-err")" \
				"shim: '$(cat "$C.shim$k")'"
		fi
	done
done <"$T/cases"
# Not agreeing on "unset" only.
if [ "$nonempty" -ge 12 ]; then
	ok "t51: gcloud printed a value in $nonempty of $n cases (at least 12)"
else
	not_ok "t51: gcloud printed a value in only $nonempty of $n cases"
fi
done_testing
