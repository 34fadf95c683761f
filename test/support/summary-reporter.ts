// Prints one closing line that any CI log reader understands: "tests: N passed, N failed".
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      // A file that failed outside any test (it did not load, a beforeAll threw) still
      // counts as a failure, even though its tests only show as skipped.
      if (mod.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    // ./dev test prints the totals again as its very last line, after its other steps.
    const summaryFile = process.env['MODELGATE_TEST_SUMMARY'];
    if (summaryFile) writeFileSync(summaryFile, `${passed} ${failed}\n`);
  }
}
