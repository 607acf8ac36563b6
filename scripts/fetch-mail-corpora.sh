#!/usr/bin/env bash
# Fetch real-world mail samples from public packages' source distributions into
# tests/data/corpora/ (git-ignored). Idempotent: a corpus already extracted is skipped.
#
# Sources and licences (each corpus directory also gets the package's LICENSE file):
#   mail-parser 4.8.0   Apache-2.0   tests/mails/*          (includes malware spam: never commit)
#   flufl.bounce 6.0.0  Apache-2.0   tests/data/*.txt       (bounces, with expected recipients)
#   bounced 0.3.0       MIT          src/bounced/tests/**/*.eml (bounces and non-bounces)
#   tnefparse 1.4.0     LGPL-3.0     tests/examples/*.tnef  (winmail.dat payloads)
#   talon 1.4.4         Apache-2.0   tests/fixtures/**, tests/text_quotations_test.py (replies
#                                    from many clients, and its quote-stripping cases)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${CORPORA_DIR:-$root/tests/data/corpora}"
pip="${PIP:-$root/.venv/bin/pip}"
mkdir -p "$dest"
printf '*\n!.gitignore\n' > "$dest/.gitignore"

# name==version  directory  sdist-prefix  members (globs inside the sdist, space-separated)
corpora=(
  "mail-parser==4.8.0|mail-parser|mail_parser-4.8.0|tests/mails/* LICENSE.txt NOTICE.txt"
  "flufl.bounce==6.0.0|flufl-bounce|flufl_bounce-6.0.0|tests/data/*.txt tests/test_detectors.py LICENSE"
  "bounced==0.3.0|bounced|bounced-0.3.0|src/bounced/tests/**/*.eml LICENSE"
  "tnefparse==1.4.0|tnefparse|tnefparse-1.4.0|tests/examples/*.tnef LICENSE"
  "talon==1.4.4|talon|talon-1.4.4|tests/fixtures/**/*.eml tests/fixtures/**/*.html tests/text_quotations_test.py LICENSE"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for entry in "${corpora[@]}"; do
  IFS='|' read -r spec dir prefix members <<<"$entry"
  target="$dest/$dir"
  stamp="$spec $members"  # a changed member list re-extracts
  if [[ -f "$target/.complete" && "$(cat "$target/.complete")" == "$stamp" ]]; then
    echo "fetch-mail-corpora: $spec already in $target"
    continue
  fi
  echo "fetch-mail-corpora: downloading $spec"
  rm -rf "$target" && mkdir -p "$target"
  "$pip" download --quiet --disable-pip-version-check --no-binary :all: --no-deps --dest "$work" "$spec"
  archive="$(ls "$work"/"$prefix".tar.gz)"
  tar -xzf "$archive" -C "$work"
  # Copy only the listed members (globstar: ** spans directories), keeping their paths.
  (cd "$work/$prefix" && shopt -s globstar nullglob && for member in $members; do
      for file in $member; do
        [[ -f "$file" ]] || continue
        mkdir -p "$target/$(dirname "$file")"
        cp "$file" "$target/$file"
      done
    done)
  # Python files (flufl.bounce's table of expected recipients) must not be collected by pytest.
  find "$target" -name '*.py' -exec mv {} {}.txt \;
  printf '%s\n' "$stamp" > "$target/.complete"
done
echo "fetch-mail-corpora: corpora in $dest"
