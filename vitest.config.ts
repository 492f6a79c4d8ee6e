import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type Reporter, type TestModule, type TestSpecification } from 'vitest/node';

/**
 * Ends the run with a plain `Tests: N passed, N failed, N skipped` line that any CI can read: after the
 * coverage summary when coverage is on (vitest reports coverage after the run's end), else at the run's end.
 */
let summaryLine = '';
let coverageOn = false;
const plainSummary: Reporter & { onFinishedReportCoverage(): void } = {
  onInit(vitest) {
    coverageOn = vitest.config.coverage.enabled;
  },
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>) {
    // A file that failed outside its tests (in a hook or at import) leaves them unrun: they count as
    // failed, not skipped, and so does an error outside any test.
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || module.state() === 'failed') failed++;
        else skipped++;
      }
    }
    summaryLine = `\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
    if (!coverageOn) process.stdout.write(summaryLine);
  },
  onFinishedReportCoverage() {
    process.stdout.write(summaryLine);
  },
};

/**
 * @actions/workflow-parser ships `sourceMappingURL` comments for sources it does not publish; vite
 * would warn about each of them. The comments are dropped where the files are loaded.
 */
const noDanglingSourceMaps: Plugin = {
  name: 'no-dangling-source-maps',
  load(id) {
    if (!id.includes('@actions/workflow-parser/') || !id.endsWith('.js')) return undefined;
    return { code: readFileSync(id, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/gm, ''), map: null };
  },
};

/**
 * Vitest's order within each project, except that the files that wait for the bundle (they import
 * helpers/bundle.ts) come last: the global setup builds it while the others run, and a worker would
 * otherwise sit idle in a file that waits while other files could run.
 */
class BundleLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const waits = (spec: TestSpecification) => readFileSync(spec.moduleId, 'utf8').includes("/helpers/bundle.ts'");
    const projects = [...new Set(sorted.map((spec) => spec.project.name))];
    return projects.flatMap((name) => {
      const own = sorted.filter((spec) => spec.project.name === name);
      return [...own.filter((spec) => !waits(spec)), ...own.filter(waits)];
    });
  }
}

/** What both projects share: no test file changes global state (no module mocks, stubbed env or fake
 * timers), so workers are reused; @actions/workflow-parser is inlined because its JSON imports lack the
 * import attribute Node requires. */
const shared = {
  plugins: [noDanglingSourceMaps],
  test: {
    testTimeout: 15_000,
    isolate: false,
    // Every core (vitest leaves one free by default, so a 2-core machine ran one file at a time): many
    // files wait on child processes, sockets and timeouts rather than compute.
    maxWorkers: '100%',
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
};

/** The action's tests: src/ in-process against the emulator, and the bundle as the runner starts it. */
export const product = { ...shared, test: { ...shared.test, name: 'product', include: ['__tests__/*.test.ts'] } };

/** The tests of what surrounds the action: release, emulator, live suite, licences, workflows and docs. */
export const tooling = {
  ...shared,
  test: { ...shared.test, name: 'tooling', include: ['__tests__/tooling/*.test.ts'] },
};

export default defineConfig({
  test: {
    projects: [product, tooling],
    sequence: { sequencer: BundleLast },
    reporters: ['default', plainSummary],
    // Builds the bundle from src/ once for both projects (a project's own globalSetup would build it again),
    // for the dist check, the smoke, channel and live-suite tests and the licences.
    globalSetup: ['__tests__/setup/bundle.ts'],
    // `npm test` passes --coverage: what of src/ the in-process tests run (the bundle's child processes
    // are not counted). `npx vitest run --coverage --coverage.reporter=text` lists the lines not reached.
    // Reported after failing runs too, so the plain summary line always follows it.
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary'], reportOnFailure: true },
  },
});
