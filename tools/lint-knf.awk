# lint-knf.awk - the format rules of STYLE.md's KNF that `make lint`
# fails on, over C files given as arguments:
#   width     no line wider than 80 columns (tabs of 8)
#   space     no white space at the end of a line
#   indent    indentation is tabs, then at most four spaces (a
#             continuation line); never a space before a tab
#   comment   /* */ comments only: no // outside a string
#   keyword   a space after if, for, while, switch and return before (
#   rettype   a function's definition has its return type on a line of
#             its own, its name at column 0, and its { alone on a line
# clang-format 14 cannot write KNF (continuations four spaces in at any
# depth, members aligned on tab stops), so these are checked here and
# the rest of .clang-format stays advisory (tools/lint-layers.sh).
# One line per finding: FILE:LINE: RULE: what; exit 1 when any.

function finding(rule, what) {
	printf "%s:%d: %s: %s\n", FILENAME, FNR, rule, what
	bad++
}

# The line without its string and character literals (their contents
# become x), so that "http://" or "if(" inside a string is not code.
function code(s,    out, i, c, q) {
	out = ""; q = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (q != "") {
			if (c == "\\") { out = out "xx"; i++; continue }
			if (c == q) q = ""
			out = out (c == q || q == "" ? c : "x")
			continue
		}
		if (c == "\"" || c == "'") q = c
		out = out c
	}
	return out
}

function width(s,    i, w) {
	w = 0
	for (i = 1; i <= length(s); i++)
		w = substr(s, i, 1) == "\t" ? w + 8 - w % 8 : w + 1
	return w
}

FNR == 1 { incomment = 0; start = 0; decl = "" }

{
	line = $0
	if (width(line) > 80)
		finding("width", width(line) " columns")
	if (line ~ /[ \t]$/)
		finding("space", "white space at the end")
	if (line ~ /^\t* \t/ || line ~ /^\t*     /)
		if (!incomment && line !~ /^[ \t]*\*/)
			finding("indent", "spaces where a tab goes")
	c = code(line)
	# Comments: strip /* */ spans (they may run over lines).
	rest = ""
	while (c != "") {
		if (incomment) {
			i = index(c, "*/")
			if (i == 0) { c = ""; break }
			c = substr(c, i + 2); incomment = 0
		} else {
			i = index(c, "/*")
			j = index(c, "//")
			if (j > 0 && (i == 0 || j < i)) {
				finding("comment", "// comment")
				rest = rest substr(c, 1, j - 1); c = ""; break
			}
			if (i == 0) { rest = rest c; c = ""; break }
			rest = rest substr(c, 1, i - 1)
			c = substr(c, i + 2); incomment = 1
		}
	}
	if (rest ~ /(^|[^A-Za-z0-9_])(if|for|while|switch|return)\(/)
		finding("keyword", "no space between keyword and (")
	# A definition: "{" alone at column 0 closes the declarator that
	# began at the last line starting at column 0.
	if (line ~ /^[A-Za-z_]/ && rest !~ /^(typedef|struct|enum|union)[ \t].*[;{]$/)
		start = FNR
	if (line ~ /^[A-Za-z_].*\)[ \t]*\{[ \t]*$/ && line !~ /=/)
		finding("rettype", "a function's { goes on a line of its own")
	if (line == "{" && start > 0) {
		if (decl !~ /^[A-Za-z_][A-Za-z0-9_]*\(/)
			finding("rettype", "the return type goes on its own " \
			    "line, the name at column 0")
		start = 0
	}
	if (line ~ /^[A-Za-z_]/)
		decl = line
}

END { exit bad > 0 }
