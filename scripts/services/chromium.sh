# Headless Chromium from Debian, for the HTML report test (sourced by scripts/test-services.sh).
# Nothing runs in the background: the test launches the browser itself from the recorded path.

chromium_packages() { echo chromium; }

chromium_start() { record STRISK_TEST_CHROMIUM /usr/bin/chromium; }

chromium_stop() { :; }
