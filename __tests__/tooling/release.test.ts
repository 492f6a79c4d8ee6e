// npm run release (scripts/release.ts) and the steps of .github/workflows/release.yml. The checks a
// release makes before its tests are a pure function of what git shows (plan()), tested in-process;
// one stub repository, set up once, then goes through the releases in order: failing tests, a first
// release, a second by the command line, and release.yml's scripts against a bare "origin" and a
// stub `gh`. The stub project's tests are shell built-ins, so the file runs about 50 git processes.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  latestVersionTag,
  notesForTag,
  plan,
  release,
  ReleaseError,
  releaseNotes,
  type ReleaseOptions,
  type Repository,
} from '../../scripts/release.ts';

const root = resolve(import.meta.dirname, '..', '..');
const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');
const write = (dir: string, path: string, content: string) => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
};
const changelog = (unreleased: string, older = '') =>
  `# Changelog\n\nIntro.\n\n## [Unreleased]\n${unreleased ? `\n${unreleased}\n` : ''}${older}`;
const FIRST_FEATURE = '### Added\n\n- The first feature.';

describe('what a release checks before its tests (plan)', () => {
  const clean: Repository = { status: '## main\n', tags: [], changelog: changelog(FIRST_FEATURE) };
  const refusal = (version: string, changes: Partial<Repository>) => {
    try {
      plan(version, { ...clean, ...changes }, '2030-01-02');
    } catch (error) {
      expect(error).toBeInstanceOf(ReleaseError);
      return (error as Error).message;
    }
    throw new Error('no refusal');
  };

  it('moves the Unreleased section under the version and the date, leaving Unreleased empty', () => {
    expect(plan('1.0.0', clean, '2030-01-02')).toEqual({
      tag: 'v1.0.0',
      majorTag: 'v1',
      majorExisted: false,
      changelog:
        '# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [1.0.0] - 2030-01-02\n\n### Added\n\n- The first feature.\n',
    });
    const next = plan(
      '1.1.0',
      { ...clean, tags: ['v1', 'v1.0.0'], changelog: changelog('- New.', '\n## [1.0.0] - 2020-01-01\n\n- Old.\n') },
      '2031-02-03',
    );
    expect(next).toMatchObject({ tag: 'v1.1.0', majorTag: 'v1', majorExisted: true });
    expect(next.changelog).toBe(
      '# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [1.1.0] - 2031-02-03\n\n- New.\n\n## [1.0.0] - 2020-01-01\n\n- Old.\n',
    );
    expect(releaseNotes(next.changelog, '1.1.0')).toBe('- New.\n');
    expect(releaseNotes(next.changelog, '1.0.0')).toBe('- Old.\n');
    expect(() => releaseNotes(next.changelog, '1.0.1')).toThrow(/no notes for 1\.0\.1/);
    expect(plan('2.0.0', { ...clean, tags: ['v1', 'v1.1.0'] }, '2030-01-02')).toMatchObject({
      majorTag: 'v2',
      majorExisted: false,
    });
  });

  it('is cut from main only, with an upstream or without', () => {
    expect(plan('1.0.0', { ...clean, status: '## main...origin/main [ahead 2]\n' }, 'd').tag).toBe('v1.0.0');
    expect(refusal('1.0.0', { status: '## feature\n' })).toBe(
      'releases are cut from main, and HEAD is feature: git switch main',
    );
    expect(refusal('1.0.0', { status: '## main.next...origin/main.next\n' })).toMatch(/HEAD is main\.next:/);
    expect(refusal('1.0.0', { status: '## HEAD (no branch)\n' })).toMatch(/and HEAD is detached: git switch main$/);
  });

  it('refuses a tree that is not clean, naming the paths', () => {
    expect(refusal('1.0.0', { status: '## main\n M src/main.txt\n?? notes.txt\n' })).toBe(
      'the working tree is not clean (src/main.txt, notes.txt): commit or remove the changes first',
    );
  });

  it('refuses a version that is not x.y.z or not greater than the latest release', () => {
    for (const version of ['v1.0.0', '1.0', '1.0.0.0', '01.0.0', '1.0.0-rc.1', '', 'latest']) {
      expect(refusal(version, {}), version).toMatch(/is not a version: give x\.y\.z/);
    }
    const tags = ['v1', 'v1.2.0', 'v1.10.0', 'v2.0.0-rc.1'];
    expect(refusal('1.10.0', { tags })).toBe('1.10.0 is not greater than the latest release, v1.10.0');
    expect(refusal('1.9.9', { tags })).toBe('1.9.9 is not greater than the latest release, v1.10.0');
    expect(plan('1.10.1', { ...clean, tags }, 'd').tag).toBe('v1.10.1');
    expect(latestVersionTag(['v1.9.0', 'v1', 'v1.10.0', 'v1.2.30', 'v2', 'x3.0.0', 'v2.0.0-rc.1'])).toBe('v1.10.0');
    expect(latestVersionTag(['v1'])).toBeUndefined();
  });

  it('refuses a missing CHANGELOG, a missing or empty Unreleased section, and a version it has already', () => {
    expect(refusal('1.0.0', { changelog: undefined })).toMatch(/^CHANGELOG\.md not found/);
    expect(refusal('1.0.0', { changelog: '# Changelog\n\n## [0.1.0] - 2020-01-01\n\n- Old.\n' })).toMatch(
      /^CHANGELOG\.md has no "## \[Unreleased\]" section/,
    );
    expect(refusal('1.0.0', { changelog: changelog('') })).toMatch(
      /^the "Unreleased" section of CHANGELOG\.md is empty/,
    );
    expect(refusal('1.0.0', { changelog: changelog('- New.', '\n## [1.0.0] - 2020-01-01\n\n- Old.\n') })).toBe(
      'CHANGELOG.md already has a 1.0.0 section',
    );
  });

  it("this repository's CHANGELOG has Unreleased changes, and npm run release is this script", () => {
    const released = plan('99.0.0', { ...clean, changelog: read(root, 'CHANGELOG.md') }, '2099-01-01').changelog;
    expect(releaseNotes(released, '99.0.0').length).toBeGreaterThan(20);
    const scripts = (JSON.parse(read(root, 'package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.release).toBe('node scripts/release.ts');
  });
});

// The stub project's tests: they pass or fail.
const passing = 'true';
const failing = 'exit 3';
const gitEnv = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release-test@example.com',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release-test@example.com',
};
const saved = Object.fromEntries(Object.keys(gitEnv).map((name) => [name, process.env[name]]));
const temporary: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'release-test-'));
  temporary.push(dir);
  return dir;
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
/** Every branch and tag with the commit it points at ("tag of <commit>" for an annotated tag): one process. */
const refs = (cwd: string): Record<string, string> =>
  Object.fromEntries(
    git(cwd, 'for-each-ref', '--format=%(refname:short) %(objecttype) %(objectname) %(*objectname)')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, type, object, peeled] = line.split(' ');
        return [name!, type === 'tag' ? `tag of ${peeled}` : object!];
      }),
  );
const snapshot = (cwd: string) => ({ refs: refs(cwd), status: git(cwd, 'status', '--porcelain') });

describe('npm run release in a stub repository, then release.yml', () => {
  let dir = '';
  let origin = '';
  const cut = (version: string, options: Partial<ReleaseOptions> = {}) =>
    release({ version, cwd: dir, test: passing, date: '2030-01-02', log: () => {}, ...options });
  const expectRefusal = (message: RegExp, options: Partial<ReleaseOptions>) => {
    const before = snapshot(dir);
    expect(() => cut('1.0.0', options)).toThrow(message);
    expect(snapshot(dir)).toEqual(before);
  };
  const change = (text: string) => {
    write(dir, 'src/main.txt', `${text}\n`);
    write(
      dir,
      'CHANGELOG.md',
      read(dir, 'CHANGELOG.md').replace('## [Unreleased]\n', `## [Unreleased]\n\n- ${text}\n`),
    );
    git(dir, 'commit', '--quiet', '--all', '-m', text);
  };
  const cli = (cwd: string, args: string[]) =>
    spawnSync(process.execPath, [join(cwd, 'scripts', 'release.ts'), ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, RELEASE_TEST_COMMAND: passing },
    });

  beforeAll(() => {
    Object.assign(process.env, gitEnv);
    dir = tempDir();
    origin = join(tempDir(), 'origin.git');
    write(
      dir,
      'package.json',
      `${JSON.stringify({ name: 'fixture', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
    );
    const lock = {
      name: 'fixture',
      version: '0.0.0',
      lockfileVersion: 3,
      packages: { '': { name: 'fixture', version: '0.0.0' } },
    };
    write(dir, 'package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
    write(dir, 'CHANGELOG.md', changelog(FIRST_FEATURE));
    write(dir, 'src/main.txt', 'one\n');
    // release.yml runs `node scripts/release.ts notes "$TAG"` from its checkout.
    write(dir, 'scripts/release.ts', read(root, 'scripts/release.ts'));
    git(dir, 'init', '--quiet', '--initial-branch=main');
    git(dir, 'add', '.');
    git(dir, 'commit', '--quiet', '-m', 'initial');
    git(dir, 'init', '--quiet', '--bare', origin);
    git(dir, 'remote', 'add', 'origin', origin);
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    temporary.forEach((path) => rmSync(path, { recursive: true, force: true }));
  });

  it('refuses outside a repository', () => {
    expect(() => release({ version: '1.0.0', cwd: tempDir(), log: () => {} })).toThrow(/^not inside a git repository$/);
  });

  it('refuses failing tests, changing nothing', () => {
    expectRefusal(/failed \(exit code 3\): a release needs passing tests$/, { test: failing });
  });

  it('a first release: version, dated CHANGELOG, one commit, annotated tag v1.0.0 and a new v1', () => {
    const before = git(dir, 'rev-parse', 'HEAD');
    const result = cut('1.0.0');
    expect(result).toMatchObject({ tag: 'v1.0.0', majorTag: 'v1', majorExisted: false });
    expect(result.push).toEqual(['git push --atomic origin main v1.0.0', 'git push --force origin v1']);
    expect(git(dir, 'show', '--name-only', '--format=%P %s', 'HEAD').split('\n')).toEqual([
      `${before} Release 1.0.0`,
      '',
      'CHANGELOG.md',
      'package-lock.json',
      'package.json',
    ]);
    expect(snapshot(dir).status).toBe('');
    expect(refs(dir)).toEqual({ main: result.commit, v1: result.commit, 'v1.0.0': `tag of ${result.commit}` });
    expect(JSON.parse(read(dir, 'package.json'))).toEqual({
      name: 'fixture',
      version: '1.0.0',
      private: true,
      type: 'module',
    });
    const lock = JSON.parse(read(dir, 'package-lock.json'));
    expect([lock.version, lock.packages[''].version]).toEqual(['1.0.0', '1.0.0']);
    expect(read(dir, 'CHANGELOG.md')).toBe(
      '# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [1.0.0] - 2030-01-02\n\n### Added\n\n- The first feature.\n',
    );
  });

  it('the command line: a second release moves v1, prints the push commands and pushes nothing', () => {
    const first = refs(dir).v1!;
    change('A fix.');
    const run = cli(dir, ['1.1.0']);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain('Testing (');
    expect(run.stdout).toMatch(/Released v1\.1\.0 \(commit [0-9a-f]{12}\) and moved v1 on it\. Nothing is pushed/);
    expect(run.stdout).toContain('\n  git push --atomic origin main v1.1.0\n  git push --force origin v1\n');
    const after = refs(dir);
    expect(after['v1.0.0']).toBe(`tag of ${first}`);
    expect(after.v1).toBe(after.main);
    expect(after['v1.1.0']).toBe(`tag of ${after.main}`);
    expect(read(dir, 'CHANGELOG.md')).toMatch(
      /## \[Unreleased\]\n\n## \[1\.1\.0\] - \d{4}-\d\d-\d\d\n\n- A fix\.\n\n## \[1\.0\.0\]/,
    );
    expect(git(origin, 'for-each-ref')).toBe('');
  });

  it('the command line refuses with one line on stderr, no stack trace, exit code 1', () => {
    for (const [args, message] of [
      [['1.1.0'], /^release: 1\.1\.0 is not greater than the latest release, v1\.1\.0$/],
      [[], /^release: usage: npm run release -- <x\.y\.z>/],
    ] as const) {
      const run = cli(dir, [...args]);
      expect([run.status, run.stderr.trimEnd().split('\n')]).toEqual([1, [expect.stringMatching(message)]]);
    }
    // `notes` runs from the command line in release.yml's steps below.
    expect(notesForTag('refs/tags/v1.1.0', dir)).toBe('- A fix.\n');
    for (const [tag, message] of [
      ['v1.0.1', /^package\.json has version 1\.1\.0, the tag is v1\.0\.1$/],
      ['1.1.0', /^"1\.1\.0" is not a release tag vX\.Y\.Z$/],
      ['v1', /is not a release tag/],
    ] as const) {
      expect(() => notesForTag(tag, dir), tag).toThrow(message);
    }
  });

  describe('release.yml, its scripts as the runner runs them (bash -eo pipefail)', () => {
    const workflow = parse(read(root, '.github/workflows/release.yml')) as {
      jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
    };
    const step = (job: string, name: string) => workflow.jobs[job]!.steps.find((s) => s.name === name)!.run!;
    let work = '';
    let bin = '';
    const runStep = (script: string, tag: string) =>
      spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd: work,
        encoding: 'utf8',
        env: {
          ...process.env,
          TAG: tag,
          GH_TOKEN: 'token',
          GH_REPO: 'owner/repo',
          GH_LOG: join(bin, 'gh.log'),
          RUNNER_TEMP: tempDir(),
          PATH: [bin, dirname(process.execPath), process.env.PATH].join(delimiter),
        },
      });
    /** Pushes the tag (and main) to origin, and checks it out in the runner's clone. */
    const checkout = (tag: string) => {
      git(dir, 'push', '--quiet', origin, 'main', tag);
      if (!work) {
        work = join(tempDir(), 'work');
        git(dir, 'clone', '--quiet', '--no-checkout', origin, work);
      } else git(work, 'fetch', '--quiet', '--tags', 'origin');
      git(work, 'switch', '--quiet', '--detach', tag);
    };
    const releaseJob = (tag: string) => {
      checkout(tag);
      for (const script of workflow.jobs.release!.steps.flatMap((s) => (s.run ? [s.run] : []))) {
        const run = runStep(script, tag);
        expect(run.status, run.stderr).toBe(0);
      }
    };

    beforeAll(() => {
      bin = tempDir();
      write(
        bin,
        'gh',
        '#!/bin/sh\necho "gh $*" >> "$GH_LOG"\n[ "$1 $2" = "release view" ] && exit 1\n' +
          'while [ $# -gt 0 ]; do [ "$1" = --notes-file ] && cp "$2" "$GH_LOG.notes"; shift; done\nexit 0\n',
      );
      chmodSync(join(bin, 'gh'), 0o755);
    });

    it('verify checks the tag against package.json and CHANGELOG.md', () => {
      checkout('v1.0.0');
      const script = step('verify', 'Check the tag against package.json and CHANGELOG.md');
      expect(runStep(script, 'v1.0.0').status).toBe(0);
      const wrong = runStep(script, 'v1.0.1');
      expect([wrong.status, wrong.stderr]).toEqual([1, 'release: package.json has version 1.0.0, the tag is v1.0.1\n']);
    });

    it('the release job creates the release with its CHANGELOG section and creates, then moves, v1', () => {
      const local = refs(dir);
      releaseJob('v1.0.0');
      expect(read(bin, 'gh.log')).toMatch(
        /^gh release view v1\.0\.0\ngh release create v1\.0\.0 --verify-tag --title v1\.0\.0 --notes-file \S+\/notes\.md\n$/,
      );
      expect(read(bin, 'gh.log.notes')).toBe('### Added\n\n- The first feature.\n');
      expect(refs(origin).v1).toBe(local['v1.0.0']!.replace('tag of ', ''));
      releaseJob('v1.1.0');
      expect(read(bin, 'gh.log.notes')).toBe('- A fix.\n');
      expect(refs(origin).v1).toBe(local.main);
    });

    it('a fix for an older line does not move the major tag back', () => {
      git(dir, 'tag', '--annotate', 'v1.0.1', 'v1.0.0^{commit}', '-m', 'backport');
      const v1 = refs(origin).v1;
      checkout('v1.0.1');
      const run = runStep(step('release', 'Move the major tag'), 'v1.0.1');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('v1.0.1 is not the newest v1 release (v1.1.0); v1 is not moved.');
      expect(refs(origin).v1).toBe(v1);
    });
  });
});
