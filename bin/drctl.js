#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx, so `npx drctl` works from a checkout without a build.
'use strict';
const path = require('node:path');
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
