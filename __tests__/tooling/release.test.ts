// npm run release (scripts/release.ts) and the steps of .github/workflows/release.yml, run against
// temporary git repositories: a stub project whose "build" writes dist/ from src/ and whose "test"
// passes or fails on demand, so each release takes a few git commands instead of a real build. The
// stub commands are shell built-ins, not Node, and each test copies one committed template
// repository: the file takes a few seconds rather than 20.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { latestVersionTag, parseVersion, releaseChangelog, releaseNotes } from '../../scripts/lib/release-changelog.ts';
import { defaultCommands, notesForTag, release, ReleaseError, type ReleaseOptions } from '../../scripts/release.ts';

const root = resolve(import.meta.dirname, '..', '..');
const passing = 'true';
const failing = 'exit 3';
/** The stub project's build: dist/index.js from src/main.txt. */
const build = "mkdir -p dist && { echo '// built'; cat src/main.txt; } > dist/index.js";
const date = '2030-01-02';

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-test-'));
  temporary.push(dir);
  return dir;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
const commitOf = (cwd: string, ref: string) => git(cwd, 'rev-parse', `${ref}^{commit}`);
const tags = (cwd: string) => git(cwd, 'tag', '--list').split('\n').filter(Boolean);
const read = (cwd: string, path: string) => readFileSync(join(cwd, path), 'utf8');
const write = (cwd: string, path: string, content: string) => {
  mkdirSync(dirname(join(cwd, path)), { recursive: true });
  writeFileSync(join(cwd, path), content);
};

const changelog = (unreleased: string) =>
  `# Changelog\n\nIntro.\n\n## [Unreleased]\n${unreleased ? `\n${unreleased}\n` : ''}`;

const FIRST_FEATURE = '### Added\n\n- The first feature.';
let template: string | undefined;
/** The stub project, committed once; every test gets its own copy (a copy is much faster than git). */
function committedTemplate(): string {
  if (template) return template;
  const dir = tempDir();
  git(dir, 'init', '--quiet', '--initial-branch=main');
  for (const [key, value] of Object.entries({
    'user.name': 'Release Test',
    'user.email': 'release-test@example.com',
    'commit.gpgsign': 'false',
    'tag.gpgsign': 'false',
    'core.hooksPath': join(dir, 'no-hooks'),
  })) {
    git(dir, 'config', key, value);
  }
  const manifest = { name: 'fixture', version: '0.0.0', private: true, scripts: { build } };
  write(dir, 'package.json', `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = {
    name: 'fixture',
    version: '0.0.0',
    lockfileVersion: 3,
    packages: { '': { name: 'fixture', version: '0.0.0' } },
  };
  write(dir, 'package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
  write(dir, 'CHANGELOG.md', changelog(FIRST_FEATURE));
  write(dir, 'src/main.txt', 'one\n');
  execFileSync('sh', ['-c', build], { cwd: dir });
  // The workflow runs `node scripts/release.ts notes "$TAG"` from the checkout.
  write(dir, 'scripts/release.ts', read(root, 'scripts/release.ts'));
  write(dir, 'scripts/lib/release-changelog.ts', read(root, 'scripts/lib/release-changelog.ts'));
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'initial');
  return (template = dir);
}

/** A committed stub project on main: package.json 0.0.0, a CHANGELOG with Unreleased changes, a fresh dist/. */
function project(unreleased = FIRST_FEATURE): string {
  const dir = tempDir();
  cpSync(committedTemplate(), dir, { recursive: true });
  if (unreleased !== FIRST_FEATURE) {
    write(dir, 'CHANGELOG.md', changelog(unreleased));
    git(dir, 'commit', '--quiet', '--all', '-m', 'CHANGELOG');
  }
  return dir;
}

const cut = (dir: string, version: string, options: Partial<ReleaseOptions> = {}) =>
  release({ version, cwd: dir, build, test: passing, date, log: () => {}, ...options });

/** Commits a user-visible change: source, rebuilt dist/ and a CHANGELOG line. */
function change(dir: string, text: string): void {
  write(dir, 'src/main.txt', `${text}\n`);
  execFileSync('sh', ['-c', build], { cwd: dir });
  write(dir, 'CHANGELOG.md', read(dir, 'CHANGELOG.md').replace('## [Unreleased]\n', `## [Unreleased]\n\n- ${text}\n`));
  git(dir, 'commit', '--quiet', '--all', '-m', text);
}

/** Asserts the release refused with `message` and left the repository as it was. */
function expectRefusal(dir: string, version: string, message: RegExp, options: Partial<ReleaseOptions> = {}): void {
  const before = { head: git(dir, 'rev-parse', 'HEAD'), tags: tags(dir), status: git(dir, 'status', '--porcelain') };
  let refusal: unknown;
  try {
    cut(dir, version, options);
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(ReleaseError);
  expect((refusal as Error).message).toMatch(message);
  expect({ head: git(dir, 'rev-parse', 'HEAD'), tags: tags(dir), status: git(dir, 'status', '--porcelain') }).toEqual(
    before,
  );
}

describe('npm run release', () => {
  it('runs the real build and tests by default, which are scripts of package.json', () => {
    expect(defaultCommands).toEqual({ build: 'npm run build', test: 'npm test' });
    const scripts = (JSON.parse(read(root, 'package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toBeTruthy();
    expect(scripts.test).toBeTruthy();
    expect(scripts.release).toBe('node scripts/release.ts');
  });

  it('a first release: version, dated CHANGELOG, commit, annotated tag v1.0.0 and a new v1', () => {
    const dir = project();
    const initial = git(dir, 'rev-parse', 'HEAD');
    const result = cut(dir, '1.0.0');

    expect(result).toMatchObject({ tag: 'v1.0.0', majorTag: 'v1', previousMajorTarget: undefined });
    expect(result.push).toEqual(['git push --atomic origin main v1.0.0', 'git push --force origin v1']);
    expect(git(dir, 'rev-parse', 'HEAD^')).toBe(initial);
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('Release 1.0.0');
    expect(git(dir, 'diff', '--name-only', 'HEAD^', 'HEAD').split('\n').sort()).toEqual([
      'CHANGELOG.md',
      'package-lock.json',
      'package.json',
    ]);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(dir, 'cat-file', '-t', 'v1.0.0')).toBe('tag');
    expect(commitOf(dir, 'v1.0.0')).toBe(result.commit);
    expect(commitOf(dir, 'v1')).toBe(result.commit);
    expect(commitOf(dir, 'HEAD')).toBe(result.commit);

    expect(JSON.parse(read(dir, 'package.json'))).toMatchObject({
      version: '1.0.0',
      scripts: { build },
    });
    const lock = JSON.parse(read(dir, 'package-lock.json'));
    expect([lock.version, lock.packages[''].version]).toEqual(['1.0.0', '1.0.0']);
    expect(read(dir, 'CHANGELOG.md')).toBe(
      '# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [1.0.0] - 2030-01-02\n\n### Added\n\n- The first feature.\n',
    );
  });

  it('a minor release moves v1 to it and keeps the older sections', () => {
    const dir = project();
    const first = cut(dir, '1.0.0');
    change(dir, 'A fix.');
    const second = cut(dir, '1.1.0', { date: '2030-02-03' });

    expect(second).toMatchObject({ tag: 'v1.1.0', majorTag: 'v1', previousMajorTarget: 'v1.0.0' });
    expect(commitOf(dir, 'v1')).toBe(second.commit);
    expect(commitOf(dir, 'v1.0.0')).toBe(first.commit);
    expect(read(dir, 'CHANGELOG.md')).toMatch(
      /## \[Unreleased\]\n\n## \[1\.1\.0\] - 2030-02-03\n\n- A fix\.\n\n## \[1\.0\.0\] - 2030-01-02\n\n### Added\n/,
    );
  });

  it('a major release creates v2 and leaves v1 on the last 1.x', () => {
    const dir = project();
    cut(dir, '1.0.0');
    change(dir, 'Breaking.');
    const one = cut(dir, '1.1.0');
    change(dir, 'Removed an input.');
    const two = cut(dir, '2.0.0');

    expect(two).toMatchObject({ tag: 'v2.0.0', majorTag: 'v2', previousMajorTarget: undefined });
    expect(two.push).toEqual(['git push --atomic origin main v2.0.0', 'git push --force origin v2']);
    expect(commitOf(dir, 'v2')).toBe(two.commit);
    expect(commitOf(dir, 'v1')).toBe(one.commit);
    expect(tags(dir)).toEqual(['v1', 'v1.0.0', 'v1.1.0', 'v2', 'v2.0.0']);
  });

  it('refuses a dirty tree: a changed file, an untracked file', () => {
    const dir = project();
    write(dir, 'src/main.txt', 'changed\n');
    expectRefusal(dir, '1.0.0', /^the working tree is not clean \(src\/main\.txt\)/);
    git(dir, 'restore', 'src/main.txt');
    write(dir, 'notes.txt', 'scratch\n');
    expectRefusal(dir, '1.0.0', /^the working tree is not clean \(notes\.txt\)/);
  });

  it('refuses a stale dist/, before running the tests', () => {
    const dir = project();
    write(dir, 'src/main.txt', 'two\n');
    git(dir, 'commit', '--quiet', '--all', '-m', 'source changed, dist/ not rebuilt');
    const marker = join(tempDir(), 'tests-ran');
    const test = `touch ${JSON.stringify(marker)}`;
    expect(() => cut(dir, '1.0.0', { test })).toThrow(/^dist\/ differs from a fresh build \(dist\/index\.js\)/);
    expect(() => readFileSync(marker)).toThrow();
    expect(tags(dir)).toEqual([]);
    // The fresh build is left in the tree to be committed; then the release goes through.
    git(dir, 'commit', '--quiet', '--all', '-m', 'dist/ rebuilt');
    expect(cut(dir, '1.0.0').tag).toBe('v1.0.0');
  });

  it('refuses when the build or the tests fail', () => {
    const dir = project();
    expectRefusal(dir, '1.0.0', /failed \(exit code 3\): a release needs passing tests$/, {
      test: failing,
    });
    expectRefusal(dir, '1.0.0', /failed \(exit code 3\)$/, { build: failing });
  });

  it('refuses off main, with a detached HEAD and outside a repository', () => {
    const dir = project();
    git(dir, 'switch', '--quiet', '--create', 'feature');
    expectRefusal(dir, '1.0.0', /^releases are cut from main, and HEAD is feature: git switch main$/);
    git(dir, 'switch', '--quiet', '--detach', 'main');
    expectRefusal(dir, '1.0.0', /and HEAD is detached/);
    expect(() => cut(tempDir(), '1.0.0')).toThrow(/^not inside a git repository$/);
  });

  it('refuses a version that is not x.y.z', () => {
    const dir = project();
    for (const version of ['v1.0.0', '1.0', '1.0.0.0', '01.0.0', '1.0.0-rc.1', '', 'latest']) {
      expectRefusal(dir, version, /is not a version: give x\.y\.z/);
    }
  });

  it('refuses an existing tag and a version that is not greater than the latest release', () => {
    const dir = project();
    cut(dir, '1.2.0');
    change(dir, 'Another change.');
    expectRefusal(dir, '1.2.0', /^the tag v1\.2\.0 already exists/);
    expectRefusal(dir, '1.1.9', /^1\.1\.9 is not greater than the latest release, v1\.2\.0$/);
    expectRefusal(dir, '0.9.0', /not greater than the latest release, v1\.2\.0/);
    expect(cut(dir, '1.10.0').tag).toBe('v1.10.0');
  });

  it('refuses an empty or missing Unreleased section', () => {
    expectRefusal(project(''), '1.0.0', /^the "Unreleased" section of CHANGELOG\.md is empty/);
    const dir = project();
    write(dir, 'CHANGELOG.md', '# Changelog\n\n## [0.1.0] - 2020-01-01\n\n- Old.\n');
    git(dir, 'commit', '--quiet', '--all', '-m', 'no Unreleased');
    expectRefusal(dir, '1.0.0', /^CHANGELOG\.md has no "## \[Unreleased\]" section/);
  });

  describe('the command line', () => {
    const cli = (cwd: string, args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [join(root, 'scripts', 'release.ts'), ...args], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, RELEASE_BUILD_COMMAND: build, RELEASE_TEST_COMMAND: passing, ...env },
      });

    it('releases and prints the push commands, pushing nothing', () => {
      const dir = project();
      const origin = join(tempDir(), 'origin.git');
      git(dir, 'init', '--quiet', '--bare', origin);
      git(dir, 'remote', 'add', 'origin', origin);
      const result = cli(dir, ['1.0.0']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Building (');
      expect(result.stdout).toMatch(
        /Released v1\.0\.0 \(commit [0-9a-f]{12}\) and created v1 on it\. Nothing is pushed/,
      );
      expect(result.stdout).toContain('\n  git push --atomic origin main v1.0.0\n  git push --force origin v1\n');
      expect(git(origin, 'for-each-ref')).toBe('');
      expect(tags(dir)).toEqual(['v1', 'v1.0.0']);
    });

    // Every refusal reaches the command line through the same catch; the refusals themselves are tested above.
    it.each([
      ['failing tests', ['1.0.0'], { RELEASE_TEST_COMMAND: failing }, /^release: .* failed \(exit code 3\)/],
      ['no version', [], {}, /^release: usage: npm run release -- <x\.y\.z>/],
    ])('refuses %s with one line on stderr, no stack trace, exit code 1', (_name, args, env, message) => {
      const dir = project();
      const result = cli(dir, args, env);
      expect(result.status).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
      expect(tags(dir)).toEqual([]);
    });

    it('notes prints the CHANGELOG section of a tag, checked against package.json', () => {
      const dir = project();
      cut(dir, '1.0.0');
      const notes = cli(dir, ['notes', 'v1.0.0']);
      expect([notes.status, notes.stdout]).toEqual([0, '### Added\n\n- The first feature.\n']);
      expect(notesForTag('refs/tags/v1.0.0', dir)).toBe(notes.stdout);
      for (const [tag, message] of [
        ['v1.0.1', /^package\.json has version 1\.0\.0, the tag is v1\.0\.1$/],
        ['1.0.0', /^"1\.0\.0" is not a release tag vX\.Y\.Z$/],
        ['v1', /is not a release tag/],
      ] as const) {
        expect(() => notesForTag(tag, dir), tag).toThrow(message);
      }
    });
  });
});

describe('versions and CHANGELOG', () => {
  it('versions are plain x.y.z, compared as numbers', () => {
    expect(parseVersion('10.0.3')).toEqual([10, 0, 3]);
    expect(latestVersionTag(['v1.9.0', 'v1', 'v1.10.0', 'v1.2.30', 'v2', 'x3.0.0', 'v2.0.0-rc.1'])).toBe('v1.10.0');
    expect(latestVersionTag(['v1'])).toBeUndefined();
  });

  it('moves only the Unreleased section, keeping what follows', () => {
    const text = '# C\n\n## [Unreleased]\n\n- New.\n\n## [1.0.0] - 2020-01-01\n\n- Old.\n';
    const released = releaseChangelog(text, '1.1.0', '2021-02-03');
    expect(released).toBe(
      '# C\n\n## [Unreleased]\n\n## [1.1.0] - 2021-02-03\n\n- New.\n\n## [1.0.0] - 2020-01-01\n\n- Old.\n',
    );
    expect(releaseNotes(released, '1.1.0')).toBe('- New.\n');
    expect(releaseNotes(released, '1.0.0')).toBe('- Old.\n');
    expect(() => releaseNotes(released, '1.0.1')).toThrow(/no notes for 1\.0\.1/);
    expect(() => releaseChangelog(text, '1.0.0', '2021-02-03')).toThrow(/already has a 1\.0\.0 section/);
  });

  it('the CHANGELOG of this repository has Unreleased changes that release as the next version', () => {
    const released = releaseChangelog(read(root, 'CHANGELOG.md'), '99.0.0', '2099-01-01');
    expect(releaseNotes(released, '99.0.0').length).toBeGreaterThan(20);
  });
});

/** The steps of a job of release.yml that run shell scripts, as the runner does (bash -eo pipefail). */
const workflow = parse(read(root, '.github/workflows/release.yml')) as {
  jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
};
function runStep(cwd: string, script: string, env: Record<string, string>) {
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}
const step = (job: string, name: string) => {
  const found = workflow.jobs[job]!.steps.find((s) => s.name === name)?.run;
  expect(found, `${job}: ${name}`).toBeTruthy();
  return found!;
};

describe('release.yml, its scripts run against a temporary repository', () => {
  /** A bare "origin" with the released project pushed, a runner's checkout of `tag`, a stub `gh`. */
  function runner(dir: string, push: string[]) {
    const origin = join(tempDir(), 'origin.git');
    git(dir, 'init', '--quiet', '--bare', origin);
    git(dir, 'push', '--quiet', origin, ...push);
    const bin = tempDir();
    const ghLog = join(bin, 'gh.log');
    write(
      bin,
      'gh',
      '#!/bin/sh\n' +
        'echo "gh $*" >> "$GH_LOG"\n' +
        '[ "$1 $2" = "release view" ] && exit 1\n' +
        'while [ $# -gt 0 ]; do [ "$1" = --notes-file ] && cp "$2" "$GH_LOG.notes"; shift; done\n' +
        'exit 0\n',
    );
    chmodSync(join(bin, 'gh'), 0o755);
    const checkout = (tag: string) => {
      const work = join(tempDir(), 'work');
      git(dir, 'clone', '--quiet', origin, work);
      git(work, 'switch', '--quiet', '--detach', tag);
      return work;
    };
    const env = (tag: string) => ({
      TAG: tag,
      GH_TOKEN: 'token',
      GH_REPO: 'owner/repo',
      GH_LOG: ghLog,
      RUNNER_TEMP: tempDir(),
      PATH: [bin, dirname(process.execPath), process.env.PATH].join(delimiter),
    });
    return { origin, ghLog, checkout, env };
  }

  it('the release job creates the release with the CHANGELOG section and creates, then moves, v1', () => {
    const dir = project();
    const first = cut(dir, '1.0.0');
    const { origin, ghLog, checkout, env } = runner(dir, ['main', 'v1.0.0']);
    const scripts = workflow.jobs.release!.steps.filter((s) => s.run).map((s) => s.run!);
    expect(scripts).toHaveLength(2);

    const work = checkout('v1.0.0');
    for (const script of scripts) {
      const result = runStep(work, script, env('v1.0.0'));
      expect(result.status, result.stderr).toBe(0);
    }
    expect(read(dirname(ghLog), 'gh.log')).toMatch(
      /^gh release view v1\.0\.0\ngh release create v1\.0\.0 --verify-tag --title v1\.0\.0 --notes-file \S+\/notes\.md\n$/,
    );
    expect(read(dirname(ghLog), 'gh.log.notes')).toBe('### Added\n\n- The first feature.\n');
    expect(git(origin, 'rev-parse', 'refs/tags/v1')).toBe(first.commit);

    change(dir, 'A fix.');
    const second = cut(dir, '1.1.0');
    git(dir, 'push', '--quiet', origin, 'main', 'v1.1.0');
    const next = checkout('v1.1.0');
    for (const script of scripts) expect(runStep(next, script, env('v1.1.0')).status).toBe(0);
    expect(read(dirname(ghLog), 'gh.log.notes')).toBe('- A fix.\n');
    expect(git(origin, 'rev-parse', 'refs/tags/v1')).toBe(second.commit);
    expect(git(origin, 'rev-parse', 'refs/tags/v1.0.0^{commit}')).toBe(first.commit);
  });

  it('a fix for an older line does not move the major tag back', () => {
    const dir = project();
    const first = cut(dir, '1.0.0');
    change(dir, 'Feature.');
    const latest = cut(dir, '1.1.0');
    git(dir, 'tag', '--annotate', 'v1.0.1', first.commit, '-m', 'backport');
    const { origin, checkout, env } = runner(dir, ['main', 'v1.0.0', 'v1.0.1', 'v1.1.0', 'v1']);
    const result = runStep(checkout('v1.0.1'), step('release', 'Move the major tag'), env('v1.0.1'));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('v1.0.1 is not the newest v1 release (v1.1.0); v1 is not moved.');
    expect(git(origin, 'rev-parse', 'refs/tags/v1')).toBe(latest.commit);
  });

  it('verify checks the tag against package.json and CHANGELOG.md before anything else', () => {
    const dir = project();
    cut(dir, '1.0.0');
    const { checkout, env } = runner(dir, ['main', 'v1.0.0']);
    const work = checkout('v1.0.0');
    const script = step('verify', 'Check the tag against package.json and CHANGELOG.md');
    expect(runStep(work, script, env('v1.0.0')).status).toBe(0);
    const wrong = runStep(work, script, env('v1.0.1'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/package\.json has version 1\.0\.0, the tag is v1\.0\.1/);
  });
});
