#!/usr/bin/env node
// Compiles contracts/src/*.sol with the pinned solc-js and writes
// contracts/artifacts/<Contract>.json.
//
//   node build-contracts.js          # (re)write the artifacts
//   node build-contracts.js --check  # exit 1 if the committed artifacts are stale
//
// All paths are resolved relative to this script, so it works from any cwd.
'use strict';

const fs = require('fs');
const path = require('path');

const SCRIPT_DIR = __dirname;
const REPO_ROOT = path.resolve(SCRIPT_DIR, '..', '..');
const CONTRACTS_DIR = path.join(REPO_ROOT, 'contracts');
const SRC_DIR = path.join(CONTRACTS_DIR, 'src');
const ARTIFACTS_DIR = path.join(CONTRACTS_DIR, 'artifacts');

const EXPECTED_SOLC = '0.8.37';
const EVM_VERSION = 'cancun';
const OPTIMIZER_RUNS = 200;

// Contracts that get an artifact: [source path relative to contracts/, contract name].
const TARGETS = [
  ['src/KMSRegistry.sol', 'KMSRegistry'],
  ['src/MockNovaAppRegistry.sol', 'MockNovaAppRegistry'],
];

function fail(msg) {
  process.stderr.write(`build-contracts: ${msg}\n`);
  process.exit(2);
}

function loadSolc() {
  let solc;
  try {
    solc = require('solc');
  } catch (e) {
    fail(`cannot load solc-js (run "npm --prefix tools/devchain ci"): ${e.message}`);
  }
  const version = solc.version();
  if (!version.startsWith(EXPECTED_SOLC + '+')) {
    fail(`solc ${version} is installed but ${EXPECTED_SOLC} is pinned; run "npm --prefix tools/devchain ci"`);
  }
  return solc;
}

/// All .sol files under contracts/src, keyed "src/…" (forward slashes), sorted.
function collectSources() {
  const sources = {};
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.sol')) {
        const key = path.relative(CONTRACTS_DIR, full).split(path.sep).join('/');
        sources[key] = { content: fs.readFileSync(full, 'utf8') };
      }
    }
  };
  if (!fs.existsSync(SRC_DIR)) fail(`source directory not found: ${SRC_DIR}`);
  walk(SRC_DIR);
  for (const [file] of TARGETS) {
    if (!sources[file]) fail(`missing source file contracts/${file}`);
  }
  return sources;
}

/// Resolves imports that are not among the collected sources (relative to contracts/).
function findImports(importPath) {
  const full = path.resolve(CONTRACTS_DIR, importPath);
  if (!full.startsWith(CONTRACTS_DIR + path.sep) || !fs.existsSync(full)) {
    return { error: `import not found: ${importPath}` };
  }
  return { contents: fs.readFileSync(full, 'utf8') };
}

function compile(solc) {
  const input = {
    language: 'Solidity',
    sources: collectSources(),
    settings: {
      optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
      evmVersion: EVM_VERSION,
      outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers'] },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

  const diagnostics = output.errors || [];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of diagnostics.filter((d) => d.severity !== 'error')) {
    process.stderr.write(`${d.formattedMessage || d.message}\n`);
  }
  if (errors.length > 0) {
    for (const d of errors) process.stderr.write(`${d.formattedMessage || d.message}\n`);
    fail(`compilation failed with ${errors.length} error(s)`);
  }

  const artifacts = {};
  for (const [file, name] of TARGETS) {
    const c = output.contracts && output.contracts[file] && output.contracts[file][name];
    if (!c) fail(`compiler produced no output for ${file}:${name}`);
    const bytecode = c.evm.bytecode.object;
    const deployed = c.evm.deployedBytecode.object;
    if (!bytecode || !deployed) fail(`empty bytecode for ${name} (abstract contract or interface?)`);
    if (/__\$[0-9a-f]{34}\$__/.test(bytecode)) fail(`${name} needs library linking, which is not supported`);
    const artifact = {
      contractName: name,
      abi: c.abi,
      bytecode: '0x' + bytecode,
      deployedBytecode: '0x' + deployed,
      solcVersion: solc.version(),
    };
    artifacts[name] = JSON.stringify(artifact, null, 2) + '\n';
  }
  return artifacts;
}

function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) fail(`unknown argument(s): ${unknown.join(' ')} (usage: build-contracts.js [--check])`);
  const check = args.includes('--check');

  const artifacts = compile(loadSolc());

  if (check) {
    const stale = [];
    for (const [name, text] of Object.entries(artifacts)) {
      const file = path.join(ARTIFACTS_DIR, `${name}.json`);
      const rel = path.relative(REPO_ROOT, file);
      if (!fs.existsSync(file)) stale.push(`${rel} (missing)`);
      else if (fs.readFileSync(file, 'utf8') !== text) stale.push(`${rel} (differs from a fresh build)`);
    }
    if (stale.length > 0) {
      process.stderr.write('build-contracts: stale contract artifacts:\n');
      for (const s of stale) process.stderr.write(`  ${s}\n`);
      process.stderr.write('rebuild with: npm --prefix tools/devchain run build-contracts\n');
      process.exit(1);
    }
    process.stdout.write(`contract artifacts are up to date (${Object.keys(artifacts).join(', ')})\n`);
    return;
  }

  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  for (const [name, text] of Object.entries(artifacts)) {
    const file = path.join(ARTIFACTS_DIR, `${name}.json`);
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (existing === text) {
      process.stdout.write(`unchanged ${path.relative(REPO_ROOT, file)}\n`);
    } else {
      fs.writeFileSync(file, text);
      process.stdout.write(`wrote     ${path.relative(REPO_ROOT, file)}\n`);
    }
  }
}

main();
