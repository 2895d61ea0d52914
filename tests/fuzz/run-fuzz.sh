#!/usr/bin/env bash
# Builds a libFuzzer target with clang from the library sources and runs it
# for a bounded time on a scratch copy of its seed corpus.
#
#   tests/fuzz/run-fuzz.sh TARGET OUTDIR [SECONDS]
#
# TARGET is "ini" (fuzz_ini.c over device-fw/param) or "handshakes"
# (fuzz_handshakes.c over host-tools/tlsdissect). OUTDIR receives the
# binary, the working corpus and any crash artifacts. Fails (never skips)
# without clang and libFuzzer: scripts/bootstrap.sh installs them.
# Long runs on demand: tests/fuzz/run-fuzz.sh ini /tmp/fz 3600
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
target=${1:?usage: run-fuzz.sh TARGET OUTDIR [SECONDS]}
out=${2:?usage: run-fuzz.sh TARGET OUTDIR [SECONDS]}
seconds=${3:-20}

case "$target" in
  ini)
    sources=("$here/fuzz_ini.c")
    # secret.c hashes secret parameters (BoringSSL's PBKDF2).
    for f in registry value config validate sip_interfaces digest_users failure_codes ini_parse ini_write secret base64; do
      sources+=("$top/device-fw/param/$f.c")
    done
    boringssl_lib=/usr/lib/$(gcc -print-multiarch)/android
    includes=(-I"$top/device-fw/param" -isystem /usr/include/android)
    dict="$here/ini.dict"
    pkgs=(glib-2.0)
    libs=(-L"$boringssl_lib" -Wl,-rpath,"$boringssl_lib" -lcrypto)
    ;;
  handshakes)
    # The JSON string escaper is the maintenance protocol's (mgmt_proto.c);
    # files are read through vgw's bounded reader (host-tools/fileread.c);
    # the gateway's reasons and host-name rules name a refusal's rule
    # (device-fw/tls/tls_error.c, tls_hostname.c).
    sources=("$here/fuzz_handshakes.c" "$top"/host-tools/tlsdissect/*.c
             "$top/device-fw/mgmt/mgmt_proto.c" "$top/host-tools/fileread.c"
             "$top/device-fw/tls/tls_error.c" "$top/device-fw/tls/tls_hostname.c")
    boringssl_lib=/usr/lib/$(gcc -print-multiarch)/android
    includes=(-I"$top/host-tools/tlsdissect" -I"$top/host-tools" -I"$top/device-fw/mgmt"
              -I"$top/device-fw" -isystem /usr/include/android)
    dict="$here/handshakes.dict"
    pkgs=(glib-2.0 gio-2.0 json-glib-1.0 libpcap)
    libs=(-L"$boringssl_lib" -Wl,-rpath,"$boringssl_lib" -lcrypto)
    ;;
  sip)
    # fuzz_sip.c over device-fw/sip and libosip2 (the message entry point);
    # sip_digest.c hashes with BoringSSL through device-fw/param's secret.c.
    sources=("$here/fuzz_sip.c" "$top"/device-fw/sip/sip_*.c
             "$top/device-fw/param/secret.c" "$top/device-fw/param/base64.c")
    boringssl_lib=/usr/lib/$(gcc -print-multiarch)/android
    includes=(-I"$top/device-fw/sip" -I"$top/device-fw/param" -isystem /usr/include/android)
    dict="$here/sip.dict"
    pkgs=(glib-2.0 libosip2)
    libs=(-L"$boringssl_lib" -Wl,-rpath,"$boringssl_lib" -lcrypto)
    ;;
  *) echo "run-fuzz: unknown target '$target'" >&2; exit 2 ;;
esac

clang=${CLANG:-clang}
if ! command -v "$clang" >/dev/null; then
  echo "run-fuzz: $clang not found (scripts/bootstrap.sh installs clang)" >&2
  exit 1
fi

mkdir -p "$out/corpus-$target" "$out/artifacts-$target"
bin="$out/fuzz_$target"
# shellcheck disable=SC2046
"$clang" -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
  -DG_LOG_DOMAIN='"vgw-fuzz"' "${includes[@]}" \
  $(pkg-config --cflags "${pkgs[@]}") "${sources[@]}" \
  $(pkg-config --libs "${pkgs[@]}") "${libs[@]}" -o "$bin"

# Work on a copy: the committed seeds stay as they are.
cp -f "$here/corpus/$target/"* "$out/corpus-$target/"
log="$out/fuzz_$target.log"
set +e
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$dict" -artifact_prefix="$out/artifacts-$target/" \
  "$out/corpus-$target" >"$log" 2>&1
rc=$?
set -e
tail -n 5 "$log"
execs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
if [ -z "$execs" ]; then
  execs=$(grep -aoE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
fi
echo "run-fuzz: $target: ${execs:-?} executions in ${seconds}s, exit $rc"
exit $rc
