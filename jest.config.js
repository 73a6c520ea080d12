/** Tests talk HTTP to the simulator in sim/; nothing is mocked. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json" }] },
  // The package's own entry points, as the docs' examples import them.
  moduleNameMapper: {
    "^pipedrive-prismatic-component$": "<rootDir>/src",
    "^pipedrive-prismatic-component/testing$": "<rootDir>/src/testing",
    "^pipedrive-prismatic-component/bridge$": "<rootDir>/src/bridge",
  },
  testTimeout: 60000,
  globalSetup: "<rootDir>/test/support/system-packages.js",
  // The tests point connections at simulators on this machine, which only this opt-in allows.
  setupFiles: ["<rootDir>/test/support/env.js"],
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
