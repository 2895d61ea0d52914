# TAP for shell scenarios (not a scenario itself: not executable).
# Source it, call `check WHAT COMMAND...` per check, end with `finish`.
tap_count=0
tap_failed=0

# check WHAT COMMAND...: runs COMMAND; "ok" if it exits 0, else "not ok"
# with the last lines of its output as TAP comments.
check() {
  what=$1
  shift
  tap_count=$((tap_count + 1))
  if out=$("$@" 2>&1); then
    echo "ok $tap_count - $what"
  else
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_count - $what"
    printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
  fi
}

# finish prints the plan and exits 1 if any check failed.
finish() {
  echo "1..$tap_count"
  [ "$tap_failed" -eq 0 ] || exit 1
  exit 0
}
