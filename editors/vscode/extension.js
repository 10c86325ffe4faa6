// The lawful extension: the language's highlighting comes from the TextMate grammar
// (syntaxes/); everything else from the `lawful lsp` language server, which this
// file starts and stops.
'use strict';

const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

// The program to run: `lawful.serverPath`, a bare name looked up on PATH, or a
// relative path taken from the first workspace folder.
function serverCommand() {
  const configured = vscode.workspace.getConfiguration('lawful').get('serverPath') || 'lawful';
  const folders = vscode.workspace.workspaceFolders;
  const isBareName = !configured.includes('/') && !configured.includes('\\');
  if (isBareName || path.isAbsolute(configured) || !folders || folders.length === 0) {
    return configured;
  }
  return path.join(folders[0].uri.fsPath, configured);
}

async function start() {
  const command = serverCommand();
  client = new LanguageClient(
    'lawful',
    'lawful',
    { command, args: ['lsp'] },
    {
      documentSelector: [
        { scheme: 'file', language: 'lawful' },
        { scheme: 'untitled', language: 'lawful' },
      ],
      // Rule files changed on disk (a checkout, say) are checked again.
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.lawful') },
    },
  );
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    vscode.window.showErrorMessage(
      `lawful: could not start \`${command} lsp\` (${error.message || error}). ` +
        'Install lawful (cargo install --path . in its repository) or set `lawful.serverPath`.',
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('lawful.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('lawful.serverPath')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
