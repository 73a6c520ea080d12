// Builds the CommonJS bundle that `prism components:publish` loads from dist/index.js.
const path = require("node:path");
const CopyPlugin = require("copy-webpack-plugin");

module.exports = {
  mode: "production",
  target: "node",
  entry: "./src/index.ts",
  output: {
    filename: "index.js",
    path: path.resolve(__dirname, "dist"),
    libraryTarget: "commonjs2",
    clean: true,
  },
  resolve: { extensions: [".ts", ".js"] },
  module: {
    rules: [
      {
        test: /\.ts$/,
        use: { loader: "ts-loader", options: { configFile: "tsconfig.build.json" } },
        exclude: /node_modules/,
      },
    ],
  },
  optimization: {
    usedExports: true,
    // Class names survive minification, so an error's name (ConnectionError, PipedriveError) reads as written.
    minimizeOptions: { javascript: { compress: { passes: 2 }, keep_classnames: true } },
  },
  plugins: [new CopyPlugin({ patterns: [{ from: "assets", to: path.resolve(__dirname, "dist") }] })],
  // spectral re-exports its jest-mock based testing helpers; the dynamic require there is harmless.
  ignoreWarnings: [/Critical dependency: the request of a dependency is an expression/],
  performance: { hints: false },
};
