#!/bin/sh
# t99-completion-tty.sh - bash completion in a real interactive bash on a
# pseudo-terminal (pexpect), where bash itself splits the words: with the
# default COMP_WORDBREAKS, "--preflight=" is "--preflight" "=" "" - the
# layout t96's harness never fed.  Cases: --preflight=<TAB><TAB> lists the
# modes (audit included), --preflight=au<TAB> completes, --preflight-format=
# <TAB><TAB> and =j<TAB>, the other options, gcloud's own flags through
# gcloud-run-deploy and through the alias gcloud=.../libexec/.../gcloud.
# SKIPs without bash or python3-pexpect; gcloud's flags SKIP without the
# SDK's completion.bash.inc.  One Python start for all cases.
# tests/run: light
. "$(dirname "$0")/lib.sh"

SDKCOMP=/usr/lib/google-cloud-sdk/completion.bash.inc
if ! command -v bash >/dev/null 2>&1; then
	skip "t99: bash is not installed"; done_testing; exit
fi
if ! /usr/bin/python3 -c 'import pexpect' 2>/dev/null; then
	skip "t99: python3-pexpect is not installed"; done_testing; exit
fi
mkdir -p "$T/bin" "$T/libexec/gcloud-run-deploy" "$T/home"
ln -sf "$SHIM" "$T/bin/gcloud-run-deploy"
ln -sf "$SHIM" "$T/libexec/gcloud-run-deploy/gcloud"
sdk=0
[ -r "$SDKCOMP" ] && have_gcloud && sdk=1

/usr/bin/python3 - "$TOP/completion/gcloud-run-deploy.bash" "$T" "$sdk" \
    "$SDKCOMP" >"$T/pty.log" 2>&1 <<'PY' || :
import os, re, sys, time, pexpect
comp, T, sdk, sdkcomp = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
env = dict(os.environ, HOME=T + "/home", TERM="dumb", INPUTRC="/dev/null",
           PATH=T + "/bin:/usr/bin:/bin", PS1="PROMPT$ ")

def say(good, name, why=""):
    print("%s\t%s\t%s" % ("PASS" if good else "FAIL", name,
                          why.replace("\n", "\\n")[:700]))
    sys.stdout.flush()

def shell(setup):
    b = pexpect.spawn("/bin/bash", ["--norc", "--noprofile", "-i"], env=env,
                      encoding="utf-8", timeout=60, dimensions=(40, 200))
    b.expect_exact("PROMPT$ ")
    b.sendline(setup + "; echo READY")
    b.expect_exact("READY")
    b.expect_exact("PROMPT$ ")
    return b

# Bash reads what is typed in order: a key typed while a completion
# function runs waits for it.  So the keys that follow a <TAB> are sent at
# once, and the end of each answer is a line only the shell's output has
# (printf joins LIST and ED), not a pause.
marks = [0]

def mark(b):
    """Run a command whose output ends the answer; what came before it."""
    marks[0] += 1
    b.send("printf 'LIST%%s-%d\\n' ED\r" % marks[0])
    try:
        b.expect(r"LISTED-%d\r\n" % marks[0], timeout=60)
        out = b.before
        b.expect_exact("PROMPT$ ", timeout=30)
        return out
    except (pexpect.TIMEOUT, pexpect.EOF):
        return "no answer: " + str(b.before)

def listing(b, line):
    """What <TAB><TAB> shows after typing line."""
    b.send(line + "\t\t")
    b.send("\x15")          # kill the line
    return mark(b)

def completed(b, line):
    """The words of the line after one <TAB>, as bash would run them."""
    b.send(line + "\t")
    b.send("\x01printf '[%s]' \r")     # to the start, print the words
    try:
        b.expect(r"\r\n(\[[^\r\n]*\])PROMPT\$ ", timeout=60)
        return b.match.group(1)
    except (pexpect.TIMEOUT, pexpect.EOF):
        return "no answer: " + str(b.before)

b = shell(". '%s'" % comp)
out = listing(b, "gcloud-run-deploy --preflight=")
modes = ["enforce", "warn", "only", "plan", "off", "audit"]
say(all(re.search(r"\b%s\b" % m, out) for m in modes),
    "--preflight=<TAB><TAB> lists the six modes, audit included", out)
w = completed(b, "gcloud-run-deploy --preflight=au")
say("[--preflight=audit]" in w, "--preflight=au<TAB> completes to audit", w)
out = listing(b, "gcloud-run-deploy --preflight-format=")
say("json" in out and "text" in out, "--preflight-format=<TAB><TAB> lists json and text", out)
w = completed(b, "gcloud-run-deploy --preflight-format=j")
say("[--preflight-format=json]" in w, "--preflight-format=j<TAB> completes to json", w)
w = completed(b, "gcloud-run-deploy --preflight-service-agent=b")
say("[--preflight-service-agent=block]" in w, "--preflight-service-agent=b<TAB>: block", w)
open(T + "/home/report-a.json", "w").close()
b.sendline("cd '%s/home'" % T); b.expect_exact("PROMPT$ ")
w = completed(b, "gcloud-run-deploy --preflight-report=rep")
say("[--preflight-report=report-a.json]" in w, "--preflight-report=rep<TAB>: a file name", w)
w = completed(b, "gcloud-run-deploy --preflight-f")
say("[--preflight-format=]" in w, "--preflight-f<TAB> completes the option", w)
b.sendline("exit")

if not sdk:
    print("SKIP\tno SDK completion.bash.inc: gcloud's own flags not tried")
    sys.exit(0)
b = shell(". '%s'" % comp)
w = completed(b, "gcloud-run-deploy api --ima")
say("[--image=]" in w or "[--image]" in w,
    "gcloud-run-deploy api --ima<TAB>: gcloud's own --image", w)
out = listing(b, "gcloud-run-deploy api --preflight=")
say(all(re.search(r"\b%s\b" % m, out) for m in modes),
    "after a service name, --preflight=<TAB><TAB> still lists the modes", out)
b.sendline("exit")
# The alias, with the SDK's completion loaded first (as ~/.bashrc would).
b = shell(". '%s'; . '%s'; alias gcloud='%s/libexec/gcloud-run-deploy/gcloud'"
          % (sdkcomp, comp, T))
w = completed(b, "gcloud run deploy api --ima")
say("[--image=]" in w or "[--image]" in w,
    "alias gcloud=...: gcloud run deploy --ima<TAB> is gcloud's completion", w)
b.sendline("exit")
# The alias with only this file loaded: it sets gcloud's completion up.
b = shell(". '%s'; alias gcloud='%s/libexec/gcloud-run-deploy/gcloud'" % (comp, T))
w = completed(b, "gcloud run deploy api --ima")
say("[--image=]" in w or "[--image]" in w,
    "alias gcloud=..., only this file loaded: --ima<TAB> still completes", w)
b.sendline("exit")
PY
while IFS='	' read -r _st _name _why; do
	case $_st in
	PASS) ok "$_name" ;;
	FAIL) not_ok "$_name" "$_why" ;;
	SKIP) skip "$_name" ;;
	*) not_ok "t99: unexpected output: $_st $_name $_why" ;;
	esac
done <"$T/pty.log"
done_testing
