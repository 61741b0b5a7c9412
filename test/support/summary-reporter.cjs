'use strict';
// Mocha's spec output, then one closing line that any CI can read: "N passed, N failed, N skipped".
// The same counts go to .test-summary.json (or $MDM_TEST_SUMMARY) for scripts.
const Mocha = require('mocha');
const { writeFileSync } = require('node:fs');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      const summary = { passed: s.passes, failed: s.failures, skipped: s.pending };
      try {
        writeFileSync(process.env.MDM_TEST_SUMMARY || '.test-summary.json', `${JSON.stringify(summary)}\n`);
      } catch {
        // The closing line below still carries the counts.
      }
      // After the spec reporter's epilogue, which mocha prints on the same event.
      process.nextTick(() => process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`));
    });
  }
}

module.exports = SummaryReporter;
