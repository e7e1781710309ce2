#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx, so `npx drctl` works from a checkout without a build.
'use strict';
const path = require('node:path');
// drctl prints one-line messages; the SDK's multi-line Node-version notice would bury them.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
const { main } = require(path.join(__dirname, '..', 'cli', 'drctl.ts'));
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
