#!/usr/bin/env node
// Reads vitest's JSON report and decides whether CI passes. Prints "N passed, N failed, N skipped"
// on a line of its own. Fails when a test or a test file failed, when nothing passed, or when the
// PostgreSQL suites did not really run: any "[postgres]" test skipped, or no "[postgres]" test passed,
// and when the Azure CLI's client tests did not run (any of them skipped, or none passed).
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node .ci/check-results.mjs <vitest-json-report>');
  process.exit(2);
}

let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`check-results: cannot read ${file}: ${error.message}`);
  process.exit(1);
}

const SKIPPED = new Set(['skipped', 'pending', 'todo', 'disabled']);
const counts = { passed: 0, failed: 0, skipped: 0 };
const problems = [];
let postgresPassed = 0;
let azureCliPassed = 0;
const AZURE_CLI_SUITE = 'the Azure CLI'; // test/clients/azure-cli.test.ts

for (const suite of report.testResults ?? []) {
  const tests = suite.assertionResults ?? [];
  // A file that fails to load or whose hooks throw may report no failed test at all.
  if (suite.status === 'failed' && !tests.some((t) => t.status === 'failed')) {
    problems.push(`test file failed: ${suite.name}${suite.message ? ` — ${firstLine(suite.message)}` : ''}`);
  }
  for (const test of tests) {
    const name = test.fullName || [...(test.ancestorTitles ?? []), test.title].join(' > ');
    const postgres = name.includes('[postgres]');
    const azureCli = (test.ancestorTitles ?? [])[0] === AZURE_CLI_SUITE;
    if (test.status === 'passed') {
      counts.passed++;
      if (postgres) postgresPassed++;
      if (azureCli) azureCliPassed++;
    } else if (test.status === 'failed') {
      counts.failed++;
      problems.push(`failed: ${name}`);
    } else if (SKIPPED.has(test.status)) {
      counts.skipped++;
      if (postgres) problems.push(`PostgreSQL test did not run (${test.status}): ${name}`);
      if (azureCli) problems.push(`Azure CLI test did not run (${test.status}): ${name}`);
    } else {
      counts.failed++;
      problems.push(`unknown status ${JSON.stringify(test.status)}: ${name}`);
    }
  }
}

console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
if (counts.passed === 0) problems.push('no test passed');
if (postgresPassed === 0) problems.push('no "[postgres]" test passed: the PostgreSQL suites did not run');
if (azureCliPassed === 0) problems.push(`no "${AZURE_CLI_SUITE}" test passed: the Azure CLI client tests did not run`);
for (const problem of problems) console.error(`check-results: ${problem}`);
process.exit(problems.length === 0 ? 0 : 1);

function firstLine(text) {
  return String(text).split('\n')[0];
}
