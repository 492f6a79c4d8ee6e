// npm run release -- <x.y.z>: refuses (one line, exit code 1) unless on main in a clean tree, the
// version is greater than the latest vX.Y.Z tag, CHANGELOG.md has Unreleased changes and `npm test`
// (RELEASE_TEST_COMMAND; among its checks, that dist/ equals a fresh build) passes. Then it sets the
// version in package.json and its lockfile, dates the Unreleased changes, commits, tags vX.Y.Z, moves
// the major tag to it and prints the `git push` commands; nothing is pushed. The tag runs
// release.yml, which uses `node scripts/release.ts notes vX.Y.Z` (its CHANGELOG section).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An expected refusal: printed as one line, exit code 1. */
export class ReleaseError extends Error {}

const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;
const parseVersion = (text: string) => VERSION.exec(text)?.slice(1).map(Number);
const compare = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;

/** The newest `vX.Y.Z` among tag names (others, such as the major tag `v1`, are ignored). */
export function latestVersionTag(tags: string[]): string | undefined {
  const versions = tags.filter((tag) => tag.startsWith('v') && parseVersion(tag.slice(1)));
  return versions.sort((a, b) => compare(parseVersion(b.slice(1))!, parseVersion(a.slice(1))!))[0];
}

/** CHANGELOG.md cut before each `## ` heading; the first part is what comes before any. */
const sections = (changelog: string) => changelog.split(/^(?=## )/m);
const heading = (version: string) => new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?(?:[ \\t].*)?$`, 'm');
const body = (section: string) => section.slice(section.indexOf('\n') + 1).trim();

/** The body of the `## [version]` section: the release notes. */
export function releaseNotes(changelog: string, version: string): string {
  const notes = body(sections(changelog).find((section) => heading(version).test(section.split('\n')[0]!)) ?? '');
  if (!notes) throw new ReleaseError(`CHANGELOG.md has no notes for ${version} (a "## [${version}] - <date>" section)`);
  return `${notes}\n`;
}

/** What the release reads: `git status --porcelain --branch`, the tags, CHANGELOG.md. */
export interface Repository {
  status: string;
  tags: string[];
  changelog: string | undefined;
}

/** Every check made before the tests, and the released CHANGELOG.md; throws the refusal. */
export function plan(version: string, { status, tags, changelog }: Repository, date: string) {
  const parsed = parseVersion(version);
  if (!parsed) throw new ReleaseError(`"${version}" is not a version: give x.y.z, such as 1.2.3 (without a "v")`);
  const [head = '', ...dirty] = status.split('\n').filter(Boolean);
  // `## main`, `## main...origin/main [ahead 1]`; `## HEAD (no branch)` when detached
  const branch = /^## (?:No commits yet on )?(\S+?)(?:\.\.\.\S+)?(?: \[.*\])?$/.exec(head)?.[1] ?? 'detached';
  if (branch !== 'main') throw new ReleaseError(`releases are cut from main, and HEAD is ${branch}: git switch main`);
  if (dirty.length) {
    throw new ReleaseError(`the working tree is not clean (${list(dirty)}): commit or remove the changes first`);
  }
  const latest = latestVersionTag(tags);
  if (latest && compare(parsed, parseVersion(latest.slice(1))!) <= 0) {
    throw new ReleaseError(`${version} is not greater than the latest release, ${latest}`);
  }
  if (changelog === undefined) throw new ReleaseError('CHANGELOG.md not found at the root of the repository');
  const parts = sections(changelog);
  const at = parts.findIndex((part) => /^## \[Unreleased\][ \t]*$/i.test(part.split('\n')[0]!));
  if (at < 0) throw new ReleaseError('CHANGELOG.md has no "## [Unreleased]" section to release');
  if (heading(version).test(changelog)) throw new ReleaseError(`CHANGELOG.md already has a ${version} section`);
  const changes = body(parts[at]!);
  if (!changes) {
    throw new ReleaseError('the "Unreleased" section of CHANGELOG.md is empty: add the changes of this release first');
  }
  const rest = parts.slice(at + 1).join('');
  parts.splice(at, parts.length, `## [Unreleased]\n\n## [${version}] - ${date}\n\n${changes}\n${rest && `\n${rest}`}`);
  const majorTag = `v${parsed[0]}`;
  return { tag: `v${version}`, majorTag, majorExisted: tags.includes(majorTag), changelog: parts.join('') };
}

/** The paths of `git status --porcelain` lines. */
const list = (lines: string[]) => lines.map((line) => line.slice(3)).join(', ');

function git(cwd: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
  } catch (error) {
    const { stderr = '', message } = error as { stderr?: string; message: string };
    if (/not a git repository/.test(stderr)) throw new ReleaseError('not inside a git repository');
    throw new ReleaseError(`git ${args.join(' ')} failed: ${(stderr || message).trim().split('\n')[0]}`);
  }
}

/** Runs a shell command with its output shown; refuses when it fails. */
function run(command: string, cwd: string, why = ''): void {
  const { status, error } = spawnSync(command, { cwd, shell: true, stdio: ['ignore', 'inherit', 'inherit'] });
  if (status !== 0) throw new ReleaseError(`${command} failed (${error?.message ?? `exit code ${status}`})${why}`);
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const writeJson = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

export interface ReleaseOptions {
  version: string;
  /** The repository's root; default the current directory (npm runs scripts at the root). */
  cwd?: string;
  test?: string;
  /** YYYY-MM-DD for the CHANGELOG heading; default today (local time). */
  date?: string;
  log?: (line: string) => void;
}

/** Today as YYYY-MM-DD, local time. */
const today = (now = new Date()) =>
  new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);

export function release({ version, cwd: root = process.cwd(), test = 'npm test', ...rest }: ReleaseOptions) {
  const { date = today(), log = console.log } = rest;
  const changelogPath = join(root, 'CHANGELOG.md');
  const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : undefined;
  const tags = git(root, 'tag', '--list').split('\n').filter(Boolean);
  const status = git(root, 'status', '--porcelain', '--branch', '--untracked-files=all');
  const planned = plan(version, { status, tags, changelog }, date);

  log(`Testing (${test}) …`);
  run(test, root, ': a release needs passing tests');

  writeFileSync(changelogPath, planned.changelog);
  const files = ['CHANGELOG.md', 'package.json', 'package-lock.json'];
  for (const file of files.slice(1)) {
    const manifest = readJson(join(root, file)) as { packages?: Record<string, object> };
    if (manifest.packages?.['']) manifest.packages[''] = { ...manifest.packages[''], version };
    writeJson(join(root, file), { ...manifest, version });
  }
  git(root, 'commit', '--quiet', '-m', `Release ${version}`, '--', ...files);
  git(root, 'tag', '--annotate', planned.tag, '-m', `Release ${version}`);
  git(root, 'tag', '--force', planned.majorTag, 'HEAD');
  const push = [`git push --atomic origin main ${planned.tag}`, `git push --force origin ${planned.majorTag}`];
  return { ...planned, commit: git(root, 'rev-parse', 'HEAD'), push };
}

/** The release notes of a tag vX.Y.Z, checked against package.json's version. */
export function notesForTag(tag: string, cwd = process.cwd()): string {
  const version = tag.replace(/^(refs\/tags\/)?v/, '');
  if (version === tag || !parseVersion(version)) throw new ReleaseError(`"${tag}" is not a release tag vX.Y.Z`);
  const { version: current } = readJson(join(cwd, 'package.json'));
  if (current !== version) throw new ReleaseError(`package.json has version ${String(current)}, the tag is ${tag}`);
  return releaseNotes(readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8'), version);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  try {
    if (args[0] === 'notes' && args.length === 2) process.stdout.write(notesForTag(args[1]!));
    else if (args.length !== 1 || /^(-|notes$)/.test(args[0]!)) {
      throw new ReleaseError('usage: npm run release -- <x.y.z>   or   node scripts/release.ts notes v<x.y.z>');
    } else {
      const { tag, commit, majorTag, majorExisted, push } = release({
        version: args[0]!,
        test: process.env.RELEASE_TEST_COMMAND,
      });
      const major = `${majorExisted ? 'moved' : 'created'} ${majorTag}`;
      console.log(`\nReleased ${tag} (commit ${commit.slice(0, 12)}) and ${major} on it. Nothing is pushed yet.`);
      console.log('Publish it (the tag starts .github/workflows/release.yml, which also moves the major tag):\n');
      for (const command of push) console.log(`  ${command}`);
    }
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    console.error(`release: ${error.message}`);
    process.exitCode = 1;
  }
}
