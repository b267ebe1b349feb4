#!/usr/bin/env bash
# Shared by the fake libgpiod tools (gpiomon, gpioset, gpioget, gpiodetect) the watchdog's tests put
# on PATH. They speak the generation named by FAKE_LIBGPIOD_VERSION (1.6.3: Debian 12; 2.2.1:
# Debian 13) with its exact options and output, read from libgpiod's sources
# (github.com/brgl/libgpiod, branches v1.6.x and v2.2.x: tools/*.c, tools/tools-common.c, and the
# expected outputs in tools/gpio-tools-test.bats / tools/gpio-tools-test.bash).
# Their world lives in FAKE_GPIO_DIR:
#   calls.log          one line per invocation: the tool and its arguments
#   events             a FIFO gpiomon reads: "<rising|falling> <offset> <sec> <nsec>" per line
#   chips              gpiodetect's answer (default: one 58-line bcm2711 chip, as on a Pi 4)
#   level-<chip>-<n>   a line's physical level for gpioget (0 or 1; default 1: pulled up)
#   set.log            gpioset's physical level changes: "<epoch ms> <chip> <offset>=<0|1>"
set -euo pipefail

prog="$(basename "$0")"
version="${FAKE_LIBGPIOD_VERSION:?set FAKE_LIBGPIOD_VERSION to 1.6.3 or 2.2.1}"
dir="${FAKE_GPIO_DIR:?set FAKE_GPIO_DIR}"
generation="${version%%.*}"

printf '%s %s\n' "$prog" "$*" >>"$dir/calls.log"

# tools-common.c die(): "<prog>: <message>", exit 1.
die() {
  printf '%s: %s\n' "$prog" "$1" >&2
  exit 1
}

# getopt_long as the tools call it; an unknown option prints glibc's message, then the tool's
# "try <prog> --help".
parse_options() {
  local shortopts="$1" longopts="$2"
  shift 2
  # shellcheck disable=SC2034 # read by the tool after parse_options
  if ! parsed="$(getopt -n "$prog" -o "$shortopts" -l "$longopts" -- "$@")"; then
    die "try $prog --help"
  fi
}

print_version() {
  if [ "$generation" = 1 ]; then
    printf '%s (libgpiod) v%s\nCopyright (C) 2017-2018 Bartosz Golaszewski\nLicense: LGPLv2.1\n' "$prog" "$version"
  else
    printf '%s (libgpiod) v%s\nCopyright (C) 2017-2023 Bartosz Golaszewski\nLicense: GPL-2.0-or-later\n' "$prog" "$version"
  fi
  printf 'This is free software: you are free to change and redistribute it.\nThere is NO WARRANTY, to the extent permitted by law.\n'
}

chips() {
  if [ -f "$dir/chips" ]; then cat "$dir/chips"; else printf 'gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n'; fi
}

# "0", "gpiochip0" and "/dev/gpiochip0" name the same chip (tools-common.c chip_path_lookup).
chip_name() {
  local id="${1#/dev/}"
  case "$id" in
    *[!0-9]*) printf '%s' "$id" ;;
    *) printf 'gpiochip%s' "$id" ;;
  esac
}

# Succeeds when the chip exists; prints its number of lines.
chip_lines() {
  local name
  name="$(chip_name "$1")"
  chips | sed -n "s/^${name} \[.*\] (\([0-9]*\) lines)\$/\1/p"
}

# The message each generation prints for a chip that is not there.
no_chip() {
  if [ "$generation" = 1 ]; then
    die "error waiting for events: No such file or directory"
  fi
  die "cannot find GPIO chip character device '$1'"
}
