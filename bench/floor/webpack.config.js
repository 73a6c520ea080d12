// The floor component, bundled with the component's own webpack configuration (only entry and output differ).
const path = require("node:path");
const base = require("../../webpack.config.js");

module.exports = {
  ...base,
  entry: path.resolve(__dirname, "index.ts"),
  output: { ...base.output, path: path.resolve(__dirname, "..", "..", "node_modules", ".cache", "bench-floor") },
};
