// Tokenizes Filestack's rule and test files with the TextMate grammar, through the
// same engine VS Code uses (vscode-textmate with the Oniguruma regular expressions),
// and checks that every word gets a scope and that the parts of the language get
// the scopes themes colour. Run: npm test (after npm ci).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = __dirname;
const rules = path.join(here, '..', '..', '..', 'rules', 'filestack');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.lawful') return null;
      const file = path.join(here, '..', 'syntaxes', 'lawful.tmLanguage.json');
      return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.lawful');
}

// Every token of a text: its text, its innermost scope, and its line.
function tokenize(grammar, text) {
  const tokens = [];
  let state = textmate.INITIAL;
  text.split('\n').forEach((line, number) => {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) {
      tokens.push({
        text: line.slice(t.startIndex, t.endIndex),
        scope: t.scopes[t.scopes.length - 1],
        line: number + 1,
      });
    }
    state = result.ruleStack;
  });
  return tokens;
}

function scopeOf(tokens, text, after) {
  const start = after ? tokens.findIndex((t) => t.text.trim() === after) : 0;
  assert.ok(start >= 0, `no token ${after}`);
  const token = tokens.slice(start).find((t) => t.text.trim() === text);
  assert.ok(token, `no token ${JSON.stringify(text)}${after ? ` after ${after}` : ''}`);
  return token.scope;
}

async function main() {
  const grammar = await loadGrammar();
  const files = fs.readdirSync(rules).filter((f) => f.endsWith('.lawful'));
  assert.ok(files.length >= 5, `expected Filestack's rule and test files in ${rules}`);
  for (const file of files) {
    const tokens = tokenize(grammar, fs.readFileSync(path.join(rules, file), 'utf8'));
    // Nothing but blanks is left without a scope of its own.
    const bare = tokens.filter((t) => t.scope === 'source.lawful' && t.text.trim() !== '');
    assert.deepEqual(bare, [], `${file}: text the grammar does not recognise`);
  }

  const policy = tokenize(grammar, fs.readFileSync(path.join(rules, '2021-11-11.lawful'), 'utf8'));
  const cases = [
    ['Filestack, Inc. — Privacy Policy, revision date 11/11/2021.', null, 'comment.line.number-sign.lawful'],
    ['version', null, 'storage.type.lawful'],
    ['2021-11-11', 'version', 'constant.numeric.date.lawful'],
    ['role', null, 'storage.type.lawful'],
    ['visitor', 'role', 'entity.name.type.lawful'],
    ['device.ip_address', 'category', 'entity.name.type.lawful'],
    ['your IP address', 'device.ip_address', 'string.quoted.double.lawful'],
    ['visitor-browsing', 'rule', 'entity.name.function.lawful'],
    ['allow', 'visitor-browsing', 'keyword.other.lawful'],
    ['visitor', 'about', 'variable.other.lawful'],
    ['legitimate_interests', 'basis', 'support.constant.basis.lawful'],
    ['yes/no', 'is', 'support.type.lawful'],
    ['=', 'jurisdiction', 'keyword.operator.comparison.lawful'],
    ['and', 'jurisdiction', 'keyword.operator.word.lawful'],
    ['18', 'under', 'constant.numeric.lawful'],
    ['any data', 'restriction', 'constant.language.lawful'],
  ];
  for (const [text, after, scope] of cases) {
    assert.equal(scopeOf(policy, text, after), scope, `${text} after ${after}`);
  }

  const tests = tokenize(grammar, fs.readFileSync(path.join(rules, 'filestack.test.lawful'), 'utf8'));
  assert.equal(scopeOf(tests, 'test'), 'storage.type.lawful');
  assert.equal(scopeOf(tests, 'visitor-browsing', 'by'), 'entity.name.function.lawful');
  assert.equal(scopeOf(tests, 'nothing', 'by'), 'constant.language.lawful');
  assert.equal(scopeOf(tests, '2026-01-01T00:00:00Z'), 'constant.numeric.date.lawful');
  assert.equal(scopeOf(tests, 'contact.email', 'use'), 'variable.other.lawful');

  // A name that contains a word of the language is one name, and a rule id is not
  // split at its hyphens.
  const tricky = tokenize(grammar, 'rule deny-all-data\n  deny use of data_export.for_use to anyone');
  assert.equal(scopeOf(tricky, 'deny-all-data'), 'entity.name.function.lawful');
  assert.equal(scopeOf(tricky, 'data_export.for_use'), 'variable.other.lawful');
  assert.equal(scopeOf(tricky, 'anyone'), 'constant.language.lawful');
  console.log(`grammar: ${files.length} Filestack files tokenized, every word scoped`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
