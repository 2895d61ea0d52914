# TAP for the bootstrap tests, sourced by them.  The sourcing script sets
# tap_logs (a directory for each check's output), calls tap_plan first and
# ends with tap_done.

tap_n=0
tap_failed=0
tap_blocked=   # why the later checks cannot run, once a step failed
tap_ran_for=   # seconds the last check ran, empty when it did not run

# tap_plan N: announces N checks.
tap_plan() {
    tap_planned=$1
    echo "1..$1"
}

diag() { printf '# %s\n' "$*"; }

# check DESC CMD...: one TAP line for whether CMD succeeds, with the tail of
# its output when it does not.  After a failed step (below) every later check
# is a failure too, saying which step it waited for.
check() {
    local desc=$1 start=$SECONDS
    shift
    tap_n=$((tap_n + 1))
    tap_ran_for=
    if [ -n "$tap_blocked" ]; then
        printf 'not ok %d - %s\n#   not run: %s\n' "$tap_n" "$desc" "$tap_blocked"
        tap_failed=$((tap_failed + 1))
        return 1
    fi
    if "$@" > "$tap_logs/$tap_n.log" 2>&1; then
        tap_ran_for=$((SECONDS - start))
        printf 'ok %d - %s\n' "$tap_n" "$desc"
        return 0
    fi
    tap_ran_for=$((SECONDS - start))
    tap_failed=$((tap_failed + 1))
    printf 'not ok %d - %s\n' "$tap_n" "$desc"
    tail -n 30 "$tap_logs/$tap_n.log" | sed 's/^/#   /'
    return 1
}

# step DESC CMD...: a check the later ones depend on.
step() {
    check "$@" || tap_blocked=${tap_blocked:-"'$1' failed"}
}

# unblock: the next checks run whatever failed before (clean-up checks).
unblock() { tap_blocked=; }

# diag_time WHAT: says how long the last check ran, if it ran.
diag_time() { [ -z "$tap_ran_for" ] || diag "$1 took $tap_ran_for s"; }

# tap_done: the exit status: 0 only when every planned check ran and passed.
tap_done() {
    if [ "$tap_n" != "$tap_planned" ]; then
        diag "ran $tap_n checks, planned $tap_planned"
        return 1
    fi
    [ "$tap_failed" = 0 ]
}
