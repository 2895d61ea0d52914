#!/usr/bin/env bash
# Installs every Debian package vgw needs, through apt only.  Idempotent:
# when everything is present it only checks and returns.
#
# Until its own install step has run it uses nothing beyond what a minimal
# Debian 12 (debootstrap --variant=minbase, the debian:12 image) has: bash,
# coreutils, grep, dpkg and apt.  tests/bootstrap/ proves that in such a root.
#
# deb-src entries (for QEMU's source package) are derived from the
# machine's own apt sources, so no package host is named here.
#
#   bootstrap.sh                 install what is missing
#   bootstrap.sh --deb-src-only  only (re)write the derived deb-src entries
#                                where apt's configuration (APT_CONFIG too)
#                                keeps its sources, and install nothing
set -euo pipefail

log() { printf 'bootstrap: %s\n' "$*" >&2; }

deb_src_only=0
case ${1:-} in
    "") ;;
    --deb-src-only) deb_src_only=1 ;;
    *) echo "usage: bootstrap.sh [--deb-src-only]" >&2; exit 2 ;;
esac

# Host (amd64) packages: build, QEMU build dependencies, host tools, test peers.
HOST_PKGS=(
    meson ninja-build pkg-config gcc g++ make python3 git ccache cpio xz-utils
    clang libclang-rt-14-dev
    dpkg-dev kmod file
    libglib2.0-dev libpixman-1-dev libslirp-dev zlib1g-dev libfdt-dev nettle-dev
    libjson-glib-dev libpcap-dev android-libboringssl-dev libosip2-dev
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross
    openssl socat procps iproute2 device-tree-compiler
    libgmp-dev libssl-dev python3-cryptography tshark
    debootstrap
    sip-tester stunnel4 sipsak baresip-core kamailio kamailio-tls-modules
    lava-dispatcher
)

# --- deb-src entries derived from the configured deb entries ------------
#
# Only Debian's own archives are followed (a URI naming "debian"): third-party
# repositories seldom publish sources.  An entry whose every URI and suite
# already has deb-src (in its own Types, or in any deb-src entry) gets none,
# so apt does not see those sources twice.  Entries keep their options
# (Signed-By, also an inline key; Architectures; Trusted ...) as written.

# The files apt reads, where apt's configuration says they are.
eval "$(apt-config shell sources_list Dir::Etc::sourcelist/f \
                         sources_parts Dir::Etc::sourceparts/d)"
sources_parts=${sources_parts%/}
derived_stanzas=$sources_parts/vgw-deb-src.sources
derived_lines=$sources_parts/vgw-deb-src.list

declare -A has_deb_src=()   # "URI SUITE" -> 1 for every deb-src configured
deb_src_changed=0
deb822_stanzas=()           # Debian deb stanzas, fields without Types
deb822_keys=()              # their "URI SUITE" pairs, ';'-separated
one_line_entries=()         # Debian deb lines, "deb" dropped
one_line_keys=()

source_key() { printf '%s %s' "${1%/}" "$2"; }

is_word_in() { [[ " ${2//[[:space:]]/ } " == *" $1 "* ]]; }

# Records one finished deb822 stanza (the variables of read_deb822_file).
end_stanza() {
    local uri suite keys=
    [ ${#fields[@]} -gt 0 ] || return 0
    case ${enabled,,} in no | false | off | without | disable) return 0 ;; esac
    for uri in $uris; do
        for suite in $suites; do
            keys+="$(source_key "$uri" "$suite");"
            if is_word_in deb-src "$types"; then
                has_deb_src["$(source_key "$uri" "$suite")"]=1
            fi
        done
    done
    if is_word_in deb "$types" && ! is_word_in deb-src "$types" &&
       [[ $uris == *debian* ]]; then
        deb822_stanzas+=("$(printf '%s\n' "${fields[@]}")")
        deb822_keys+=("$keys")
    fi
}

# deb822: stanzas are separated by blank lines, '#' lines are comments, a
# line starting with white space continues the field above it.
read_deb822_file() {
    local line name value field= fields=() types= uris= suites= enabled=yes
    while IFS= read -r line || [ -n "$line" ]; do
        if [[ $line =~ ^[[:space:]]*$ ]]; then
            end_stanza
            field= fields=() types= uris= suites= enabled=yes
            continue
        fi
        [[ $line == '#'* ]] && continue
        if [[ $line =~ ^[[:space:]] ]]; then
            case $field in
                types) types+=" $line"; continue ;;
                uris) uris+=" $line" ;;
                suites) suites+=" $line" ;;
            esac
            fields+=("$line")
            continue
        fi
        name=${line%%:*} value=${line#*:}
        field=${name,,}
        case $field in
            types) types=$value; continue ;;
            uris) uris=$value ;;
            suites) suites=$value ;;
            enabled) enabled=${value//[[:space:]]/} ;;
        esac
        fields+=("$line")
    done < "$1"
    end_stanza
}

# One-line format: "deb [options] URI SUITE COMPONENT...", '#' to the end of
# a line is a comment.
read_one_line_file() {
    local line re='^[[:space:]]*(deb|deb-src)[[:space:]]+(\[[^]]*\][[:space:]]*)?([^[:space:]]+)[[:space:]]+([^[:space:]]+)(.*)$'
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        [[ $line =~ $re ]] || continue
        local type=${BASH_REMATCH[1]} options=${BASH_REMATCH[2]}
        local uri=${BASH_REMATCH[3]} suite=${BASH_REMATCH[4]} rest=${BASH_REMATCH[5]}
        if [ "$type" = deb-src ]; then
            has_deb_src["$(source_key "$uri" "$suite")"]=1
        elif [[ $uri == *debian* ]]; then
            one_line_entries+=("${options}${uri} ${suite}${rest%"${rest##*[![:space:]]}"}")
            one_line_keys+=("$(source_key "$uri" "$suite");")
        fi
    done < "$1"
}

# True when every "URI SUITE" pair in $1 (';'-terminated) has a deb-src.
all_have_deb_src() {
    local key keys=$1
    while [ -n "$keys" ]; do
        key=${keys%%;*} keys=${keys#*;}
        [ -n "${has_deb_src[$key]:-}" ] || return 1
    done
}

# Writes $2 (may be empty) to $1 unless it already holds exactly that; an
# empty content removes the file.  Sets deb_src_changed=1 when it changed.
replace_file() {
    local file=$1 content=$2
    if [ -z "$content" ]; then
        if [ -e "$file" ]; then
            rm "$file"
            deb_src_changed=1
        fi
        return 0
    fi
    if [ -f "$file" ] && [ "$(cat "$file")" = "$content" ]; then
        return 0
    fi
    printf '%s\n' "$content" > "$file.new"
    mv "$file.new" "$file"
    deb_src_changed=1
}

# Sets deb_src_changed=1 when it rewrote or removed a derived file.
derive_deb_src() {
    local f i stanzas= lines= nl=$'\n'
    [ -f "$sources_list" ] && read_one_line_file "$sources_list"
    for f in "$sources_parts"/*.list "$sources_parts"/*.sources; do
        [ -f "$f" ] || continue
        case $f in
            "$derived_stanzas" | "$derived_lines") ;;
            *.list) read_one_line_file "$f" ;;
            *.sources) read_deb822_file "$f" ;;
        esac
    done
    for i in "${!deb822_stanzas[@]}"; do
        all_have_deb_src "${deb822_keys[$i]}" && continue
        stanzas+="${stanzas:+$nl$nl}Types: deb-src$nl${deb822_stanzas[$i]}"
    done
    for i in "${!one_line_entries[@]}"; do
        all_have_deb_src "${one_line_keys[$i]}" && continue
        lines+="${lines:+$nl}deb-src ${one_line_entries[$i]}"
    done
    if [ -z "$stanzas$lines" ] && [ ${#has_deb_src[@]} -eq 0 ]; then
        echo "bootstrap: no Debian apt source found to derive deb-src entries from" >&2
        exit 1
    fi
    replace_file "$derived_stanzas" "$stanzas"
    replace_file "$derived_lines" "$lines"
}

# --- install ---------------------------------------------------------------

if [ "$deb_src_only" = 0 ] && [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: must run as root (it installs Debian packages)" >&2
    exit 1
fi

derive_deb_src
if [ "$deb_src_changed" = 1 ]; then
    log "wrote deb-src entries derived from the configured apt sources"
fi
[ "$deb_src_only" = 0 ] || exit 0
need_update=$deb_src_changed

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding arm64 as a foreign architecture"
    dpkg --add-architecture arm64
    need_update=1
fi

missing=()
for p in "${HOST_PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

# apt-get needs fresh lists when we changed sources, when packages are
# missing, or when no deb-src index has been fetched yet.
if [ "$need_update" = 1 ] || [ ${#missing[@]} -gt 0 ] ||
   ! ls /var/lib/apt/lists/*_Sources* >/dev/null 2>&1 ||
   ! ls /var/lib/apt/lists/*binary-arm64_Packages* >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -q >/dev/null
fi

if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
log "all host packages present"

# Tests start their own Kamailio on loopback ports; the packaged service
# (enabled by its postinst where systemd runs) would hold 5060 on every
# address.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ] &&
   systemctl is-enabled --quiet kamailio 2>/dev/null; then
    log "disabling the packaged kamailio service"
    systemctl disable --now kamailio >/dev/null 2>&1 ||
        log "warning: could not disable the kamailio service"
fi

# arm64 target files (kernel, busybox, libraries) are unpacked, never
# installed, so the host's own packages are never displaced.
bash "$(dirname "$0")/sysroot.sh"
