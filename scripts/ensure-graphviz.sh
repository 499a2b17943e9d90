#!/usr/bin/env sh
# Make sure the Graphviz 'dot' program is installed: install it with apt-get where we are root
# on Debian/Ubuntu, otherwise say how. 'gbp eval' works without it; drawing frames needs it.
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Graphviz with apt-get ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null && exit 0
  echo "apt-get could not install graphviz" >&2
fi
echo "Graphviz 'dot' was not found. Install it and run again:" >&2
echo "  Debian/Ubuntu: sudo apt-get install graphviz   macOS: brew install graphviz" >&2
echo "  Fedora: sudo dnf install graphviz               conda: conda install -c conda-forge graphviz" >&2
exit 1
