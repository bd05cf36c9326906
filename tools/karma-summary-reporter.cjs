// A karma reporter that prints each spec's outcome, every failure with its message, and a closing line
// `browser: N passed, N failed, N skipped`; it also writes the counts as JSON to $KARMA_SUMMARY_FILE.
const fs = require('node:fs');

function SummaryReporter(baseReporterDecorator) {
  baseReporterDecorator(this);
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const failures = [];
  let browserErrors = 0;

  this.onSpecComplete = (_browser, result) => {
    const name = [...result.suite, result.description].join(' › ');
    if (result.skipped || result.pending) {
      counts.skipped++;
      this.write(`  - ${name} (skipped)\n`);
    } else if (result.success) {
      counts.passed++;
      this.write(`  ✓ ${name} (${result.time} ms)\n`);
    } else {
      counts.failed++;
      failures.push({ name, log: result.log });
      this.write(
        `  ✗ ${name}\n${result.log.map((l) => `      ${String(l).split('\n').slice(0, 8).join('\n      ')}`).join('\n')}\n`,
      );
    }
  };
  this.onBrowserLog = (_browser, log, type) => {
    if (type === 'error' || type === 'warn' || process.env.KARMA_VERBOSE)
      this.write(`  [browser ${type}] ${String(log).slice(0, 2000)}\n`);
  };
  this.onBrowserError = (_browser, error) => {
    browserErrors++;
    this.write(`  ✗ browser error: ${typeof error === 'string' ? error : JSON.stringify(error)}\n`);
  };
  this.onRunComplete = (_browsers, results) => {
    // A page that crashed or a spec file that failed to load counts as a failure.
    if (results.error && counts.failed === 0) counts.failed = Math.max(1, browserErrors);
    this.write(`browser: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
    if (process.env.KARMA_SUMMARY_FILE)
      fs.writeFileSync(process.env.KARMA_SUMMARY_FILE, JSON.stringify({ ...counts, failures }));
  };
}
SummaryReporter.$inject = ['baseReporterDecorator'];

module.exports = { 'reporter:cpem-summary': ['type', SummaryReporter] };
