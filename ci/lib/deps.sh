# Sourced by ci/* scripts: install Debian packages that are missing, quietly, once.
# Works as root or through sudo; prints one line when it installs something, nothing otherwise.
ensure_packages() {
    missing=""
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "ci: need root (or sudo) to install:$missing" >&2
        return 1
    fi
    echo "ci: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# What building and testing hvkit needs (gcc-12 and clang-14 both build it; ASan/UBSan runtimes; Debian's
# python3 runs the CLI tests, with scapy and pytest for hvscapy; Zydis is the decoder's reference in its
# differential test; yamllint checks the CI workflow files, zip/unzip pack and unpack the ClusterFuzzLite seed
# corpora in the fuzz.clusterfuzzlite_build test).
HVKIT_BUILD_PACKAGES="gcc cmake ninja-build binutils clang-14 libclang-rt-14-dev python3 python3-scapy python3-pytest libzydis-dev yamllint zip unzip"

# What fuzzing campaigns need beyond the build (ci/fuzz installs them; ci/test runs libFuzzer only and does
# not): AFL++ (afl-clang-fast, afl-fuzz, afl-tmin, afl-plot) and gnuplot for afl-plot's graphs.
HVKIT_FUZZ_PACKAGES="afl++ gnuplot-nox"

# What the bootable build and its lanes need (cmake --preset boot, ci/boot-lanes, ci/run-bochs, ci/run-qemu):
# Bochs with its BIOS images (the VMX machine), GRUB's BIOS modules and grub-mkrescue's helpers (xorriso,
# mtools) for the ISO, and QEMU for the TCG (no-VMX) and nested-KVM lanes.
HVKIT_BOOT_PACKAGES="bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools qemu-system-x86"
