// The client extension's own logic, with VS Code and the language client stubbed
// (VS Code itself cannot run here): which program it starts, with which arguments,
// for which documents, and what it tells the user when the program is missing.
'use strict';

const assert = require('node:assert/strict');
const Module = require('node:module');
const path = require('node:path');

const settings = {};
const errors = [];
const started = [];
let failStart = false;

const vscode = {
  workspace: {
    getConfiguration: (section) => ({ get: (key) => settings[`${section}.${key}`] }),
    workspaceFolders: [{ uri: { fsPath: path.resolve('/work/policy') } }],
    onDidChangeConfiguration: () => ({ dispose() {} }),
    createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
  },
  window: { showErrorMessage: (message) => errors.push(message) },
  commands: { registerCommand: () => ({ dispose() {} }) },
};

class LanguageClient {
  constructor(id, name, server, client) {
    Object.assign(this, { id, name, server, client });
  }
  async start() {
    if (failStart) throw new Error('spawn lawful ENOENT');
    started.push(this);
  }
  async stop() {}
}

const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'vscode') return vscode;
  if (request === 'vscode-languageclient/node') return { LanguageClient };
  return load.call(this, request, ...rest);
};
const extension = require('../extension.js');

async function main() {
  const context = { subscriptions: [] };

  await extension.activate(context);
  assert.equal(started.length, 1);
  assert.deepEqual(started[0].server, { command: 'lawful', args: ['lsp'] });
  const languages = started[0].client.documentSelector.map((s) => s.language);
  assert.deepEqual(languages, ['lawful', 'lawful']);
  assert.equal(started[0].client.synchronize.fileEvents.glob, '**/*.lawful');
  await extension.deactivate();

  settings['lawful.serverPath'] = 'target/debug/lawful';
  await extension.activate(context);
  assert.equal(started[1].server.command, path.join(path.resolve('/work/policy'), 'target/debug/lawful'));
  await extension.deactivate();

  failStart = true;
  settings['lawful.serverPath'] = 'lawful';
  await extension.activate(context);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /could not start `lawful lsp`.*lawful\.serverPath/);
  console.log('extension: starts `lawful lsp` as configured, and says so when it cannot');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
