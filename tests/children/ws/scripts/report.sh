# A setup script's report: the preload variables and the files mapped into this shell.
[ -n "$CHILDREN_REPORT_DIR" ] || exit 0
f="$CHILDREN_REPORT_DIR/script-$$.txt"
{
	echo "argv	setup-script"
	for name in LD_PRELOAD NEXTEST_LD_PRELOAD; do
		if eval "[ -n \"\${$name+x}\" ]"; then
			eval "printf 'env\t%s\t%s\n' $name \"\$$name\""
		else
			printf 'unset\t%s\n' "$name"
		fi
	done
	awk '$6 ~ /^\// { if (!seen[$6]++) print "map\t" $6 }' "/proc/$$/maps"
} > "$f"
