/** Tests talk HTTP to the simulator in sim/; nothing is mocked. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: true }] },
  testTimeout: 60000,
};
