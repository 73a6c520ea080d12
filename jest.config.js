/** Tests talk HTTP to the simulator in sim/; nothing is mocked. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json" }] },
  testTimeout: 60000,
  globalSetup: "<rootDir>/test/support/system-packages.js",
  // The tests point connections at simulators on this machine, which only this opt-in allows.
  setupFiles: ["<rootDir>/test/support/env.js"],
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
