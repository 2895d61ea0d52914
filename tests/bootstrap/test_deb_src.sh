#!/usr/bin/env bash
# scripts/bootstrap.sh derives deb-src entries from the apt sources a
# machine may have: one-line sources.list entries with [options] and
# comments, deb822 .sources stanzas (Signed-By, also an inline key,
# Enabled: no), entries that already have deb-src, third-party archives.
# Each case is an apt configuration of its own (APT_CONFIG), and apt itself
# must then read exactly the expected Sources targets.  TAP on stdout.
#
#   test_deb_src.sh SOURCE_DIR
set -uo pipefail

src=${1:?usage: test_deb_src.sh SOURCE_DIR}
bootstrap=$src/scripts/bootstrap.sh

. "$(dirname "$0")/tap.sh"

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
tap_logs=$work

# new_case NAME: an empty apt configuration under $work/NAME; sets etc.
new_case() {
    etc=$work/$1/etc/apt
    mkdir -p "$etc/sources.list.d" "$etc/apt.conf.d" "$etc/preferences.d"
    printf 'Dir::Etc "%s";\n' "$etc" > "$work/$1/apt.conf"
    export APT_CONFIG=$work/$1/apt.conf
}

derive() { bash "$bootstrap" --deb-src-only; }

# derives_exactly FILE: derive, then FILE (in sources.list.d) must hold
# exactly stdin, and no other vgw-deb-src file may exist.
derives_exactly() {
    local want
    want=$(cat)
    derive || return 1
    [ "$(cat "$etc/sources.list.d/$1")" = "$want" ] || {
        echo "$1 is:"; cat "$etc/sources.list.d/$1"; echo "expected:"; echo "$want"; return 1
    }
    if [ "$(ls "$etc/sources.list.d"/vgw-deb-src.*)" != "$etc/sources.list.d/$1" ]; then
        echo "unexpected derived files:"; ls "$etc/sources.list.d"; return 1
    fi
}

# apt_sources_are: the Sources targets apt reads, "URI SUITE COMPONENT"
# sorted, must be exactly stdin, and apt must not find one configured twice.
# Not limited to the archives whose Release file this machine has.
apt_sources_are() {
    local want got
    want=$(sort)
    got=$(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
              'Identifier: Sources' 2> "$work/apt.err" | sort)
    cat "$work/apt.err"
    [ "$got" = "$want" ] || { echo "apt reads:"; echo "$got"; echo "expected:"; echo "$want"; return 1; }
    ! grep -q 'configured multiple times' "$work/apt.err"
}

tap_plan 11

new_case debootstrap
echo 'deb http://deb.debian.org/debian bookworm main' > "$etc/sources.list"
check "one-line sources.list as debootstrap writes it" \
    derives_exactly vgw-deb-src.list <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
EOF
check "apt reads its one deb-src entry" apt_sources_are <<'EOF'
http://deb.debian.org/debian/ bookworm main
EOF

new_case installer
cat > "$etc/sources.list" <<'EOF'
# as the installer writes it, and hand-edited
deb http://deb.debian.org/debian bookworm main non-free-firmware
deb-src http://deb.debian.org/debian bookworm main non-free-firmware

deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main   # security
#deb http://deb.debian.org/debian bookworm-backports main
EOF
echo 'deb https://apt.example.org/repo stable main' > "$etc/sources.list.d/vendor.list"
check "one-line entries keep their [options]; commented, third-party and deb-src-covered ones get none" \
    derives_exactly vgw-deb-src.list <<'EOF'
deb-src [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
EOF
check "apt reads each Debian deb-src once" apt_sources_are <<'EOF'
http://deb.debian.org/debian/ bookworm main
http://deb.debian.org/debian/ bookworm non-free-firmware
http://deb.debian.org/debian-security/ bookworm-security main
EOF

new_case image
cat > "$etc/sources.list.d/debian.sources" <<'EOF'
Types: deb
# a comment inside the stanza
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
check "deb822 stanzas as the debian:12 image has them" \
    derives_exactly vgw-deb-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
check "apt reads the three deb-src suites" apt_sources_are <<'EOF'
http://deb.debian.org/debian/ bookworm main
http://deb.debian.org/debian/ bookworm-updates main
http://deb.debian.org/debian-security/ bookworm-security main
EOF

unchanged_when_rerun() {
    local before
    # A rewrite replaces the file, so its inode would change.
    before=$(stat -c %i "$etc/sources.list.d/vgw-deb-src.sources")
    [ -z "$(derive 2>&1)" ] &&
        [ "$(stat -c %i "$etc/sources.list.d/vgw-deb-src.sources")" = "$before" ]
}
check "a second derivation rewrites nothing and says nothing" unchanged_when_rerun

follows_changed_sources() {
    sed -i 's/^Suites: bookworm-security$/Suites: bookworm-security bookworm-backports/' \
        "$etc/sources.list.d/debian.sources"
    derive 2>&1 | grep 'wrote deb-src entries' &&
        grep -x 'Suites: bookworm-security bookworm-backports' "$etc/sources.list.d/vgw-deb-src.sources"
}
check "a changed source is followed" follows_changed_sources

new_case deb822_edges
# Lower-case field names, more fields, a key written inline: all kept as is.
inline_key_fields='uris: http://deb.debian.org/debian
suites: bookworm
components: main contrib
architectures: amd64 arm64
signed-by:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEZJ0fakeKeyMaterialOnlyForParsing
 -----END PGP PUBLIC KEY BLOCK-----'
cat > "$etc/sources.list.d/mixed.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Enabled: no

Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: sid
Components: main

Types: deb
URIs: https://apt.example.org/repo
Suites: stable
Components: main

types: deb
$inline_key_fields
EOF
check "deb822: Enabled: no, an own deb-src and third-party get none; an inline key is kept" \
    derives_exactly vgw-deb-src.sources <<EOF
Types: deb-src
$inline_key_fields
EOF
check "apt reads sid's own deb-src and the derived bookworm one" apt_sources_are <<'EOF'
http://deb.debian.org/debian/ bookworm contrib
http://deb.debian.org/debian/ bookworm main
http://deb.debian.org/debian/ sid main
EOF

refuses_without_debian_source() {
    local out
    if out=$(derive 2>&1); then
        echo "derivation succeeded:"; echo "$out"; return 1
    fi
    echo "$out"
    [[ $out == *"no Debian apt source found"* ]] && ! ls "$etc/sources.list.d"/vgw-deb-src.* 2>/dev/null
}
new_case no_debian
echo 'deb https://apt.example.org/repo stable main' > "$etc/sources.list"
check "no Debian source: the bootstrap fails and says so" refuses_without_debian_source

tap_done
