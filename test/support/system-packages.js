/**
 * Jest global setup: the Debian packages some suites drive for real (never a downloaded build).
 * A missing one is installed with apt when we are root on Debian; otherwise the run stops at once
 * with one line saying how to install it. No suite is skipped for want of a package.
 */
const { execFileSync } = require("node:child_process");
const { existsSync } = require("node:fs");

/** Debian package -> the executable the suites start, and which suites need it. */
const SYSTEM_PACKAGES = [
  { pkg: "chromium", bin: "/usr/bin/chromium", neededBy: "the marketplace browser test" },
  { pkg: "redis-server", bin: "/usr/bin/redis-server", neededBy: "the marketplace bridge's Redis store tests" },
];

const canApt = () => typeof process.getuid === "function" && process.getuid() === 0 && existsSync("/usr/bin/apt-get");

module.exports = async function installSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter((entry) => !existsSync(entry.bin));
  if (missing.length === 0) return;
  const names = missing.map((entry) => entry.pkg);
  const why = missing.map((entry) => `${entry.pkg} (${entry.neededBy})`).join(", ");
  if (!canApt()) {
    throw new Error(`Missing Debian packages: ${why}. Install them with: sudo apt-get install -y ${names.join(" ")}`);
  }
  process.stdout.write(`Installing Debian packages the tests need: ${why} ...\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) => execFileSync("apt-get", args, { env, stdio: ["ignore", "ignore", "inherit"] });
  apt(["update", "-qq"]);
  apt(["install", "-y", "-qq", "--no-install-recommends", ...names]);
  const still = missing.filter((entry) => !existsSync(entry.bin));
  if (still.length > 0) {
    throw new Error(`apt-get installed ${names.join(" ")} but ${still.map((e) => e.bin).join(", ")} is still missing.`);
  }
};
