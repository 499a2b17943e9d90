#!/usr/bin/env sh
# Make sure a headless Chromium is installed for the HTML stepper's browser test
# (tests/test_stepper.py, tests/test_notebook.py): install Debian's 'chromium' package with apt-get where we are root
# on Debian/Ubuntu, otherwise say how. Nothing else needs it: without it that one test is
# skipped (and fails under CI=true). The test never downloads a browser of its own.
for exe in chromium chromium-browser google-chrome; do
  if command -v "$exe" >/dev/null 2>&1; then
    exit 0
  fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium with apt-get (for the HTML stepper's browser test) ..."
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    exit 0
  fi
  echo "apt-get could not install chromium" >&2
fi
echo "Chromium was not found; the browser test of the HTML stepper will be skipped." >&2
echo "  Debian/Ubuntu: sudo apt-get install chromium   (or set GBP_CHROMIUM=/path/to/chromium)" >&2
# Not fatal: the rest of the suite runs without a browser; under CI=true the browser test fails.
exit 0
