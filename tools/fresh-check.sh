#!/bin/sh
# fresh-check.sh CACHE -- the README's set-up as a new user meets it: a
# minimal Debian 12 root (debootstrap --variant=minbase), `apt-get install
# make` as the README says, this tree copied in (the files git tracks or
# would track, as they are in the work tree; ../shared/data beside it when
# there, as CI has it), then `make demo` and `make test` as root.  Passes
# when the demo prints its test accuracy (>= 85 %) and the suite closes
# "N passed, 0 failed".  Downloaded packages stay in CACHE between runs;
# the root is new every time and removed at the end.  Needs root,
# debootstrap and Debian's package servers.  TAP output; the logs of the
# two commands are kept in build/fresh-check/.
set -u
cache=${1:-/var/cache/luaml-fresh}
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/fresh-check
n=0; bad=0
ok() {  # ok STATUS DESCRIPTION
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=$((bad + 1)); fi
}
if [ "$(id -u)" != 0 ]; then echo "1..0 # skip: fresh-check needs root"; exit 0; fi
if ! command -v debootstrap >/dev/null; then
  echo "fresh-check: installing debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap || exit 1
fi
mkdir -p "$cache/debootstrap" "$cache/apt" "$logs" || exit 1
work=$(mktemp -d /var/tmp/luaml-fresh.XXXXXX) || exit 1
root=$work/root
cleanup() {
  for m in var/cache/apt/archives dev proc sys; do
    umount -R "$root/$m" 2>/dev/null || umount -l "$root/$m" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

t0=$(date +%s)
debootstrap --variant=minbase --cache-dir="$cache/debootstrap" bookworm "$root" "$mirror" \
  > "$logs/debootstrap.log" 2>&1
ok $? "debootstrap --variant=minbase bookworm ($(( $(date +%s) - t0 )) s)" || exit 1

# the machine: kernel file systems, DNS, no services started by packages,
# apt's downloads kept in the cache
mount -t proc proc "$root/proc" && mount -t sysfs sys "$root/sys" &&
  mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" &&
  mount --bind "$cache/apt" "$root/var/cache/apt/archives"
ok $? "mounts (proc, sys, dev, the package cache)" || exit 1
# a machine knows its own name (an installed Debian has it in /etc/hosts;
# Open MPI looks it up)
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/hosts "$root/etc/hosts"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > "$root/etc/apt/apt.conf.d/01keep"

# the tree, as git sees it (a clean clone in CI)
mkdir -p "$root/root/luaml"
(cd "$top" && git ls-files -co --exclude-standard | while IFS= read -r f; do
   [ -e "$f" ] && printf '%s\n' "$f"; done | tar -cf - -T -) | tar -xf - -C "$root/root/luaml"
ok $? "copy the tree into the root"
[ -d "$top/../shared/data" ] && mkdir -p "$root/root/shared" &&
  cp -R "$top/../shared/data" "$root/root/shared/"

inroot() {  # inroot LOG COMMAND: run COMMAND in the root as root, a login's environment
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/sh -c "cd /root/luaml && $2" > "$logs/$1" 2>&1
}
t0=$(date +%s)
inroot prereq.log "apt-get update && apt-get install -y make"
ok $? "the one prerequisite: apt-get install make ($(( $(date +%s) - t0 )) s)"

t0=$(date +%s)
inroot demo.log "make demo"; rc=$?
acc=$(sed -n 's/^test accuracy: \([0-9.]*\)%.*/\1/p' "$logs/demo.log" | tail -n 1)
[ $rc -eq 0 ] && [ -n "$acc" ] && awk -v a="$acc" 'BEGIN { exit !(a >= 85) }'
ok $? "make demo: exit $rc, test accuracy ${acc:-none} % ($(( $(date +%s) - t0 )) s)"
grep -n 'No such file\|not found\|warning: ' "$logs/demo.log" | head -5 | sed 's/^/# /'

t0=$(date +%s)
inroot test.log "make test"; rc=$?
sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/test.log" | tail -n 1)
[ $rc -eq 0 ] && echo "$sum" | grep -q ' 0 failed'
ok $? "make test: exit $rc, ${sum:-no summary} ($(( $(date +%s) - t0 )) s)"
[ $rc -eq 0 ] || grep -E '^  not ok|failed$' "$logs/test.log" | head -20 | sed 's/^/# /'

# a second `make test` rebuilds nothing and still passes
inroot test2.log "make test"; rc=$?
! grep -q '^cc \|^gcc ' "$logs/test2.log" && [ $rc -eq 0 ]
ok $? "a second make test builds nothing and passes"

echo "1..$n"
echo "fresh-check: $((n - bad)) passed, $bad failed (logs: $logs)"
[ $bad -eq 0 ]
