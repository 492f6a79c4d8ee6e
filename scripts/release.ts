// npm run release -- <x.y.z>: cuts a release locally and pushes nothing. It refuses (one line, exit
// code 1) unless the tree is clean, on main, the version is greater than the latest vX.Y.Z tag,
// CHANGELOG.md has Unreleased changes, dist/ equals a fresh `npm run build` and `npm test` passes.
// Then it sets the version in package.json and package-lock.json, moves CHANGELOG.md's Unreleased
// section under the version and today's date, commits, tags vX.Y.Z (annotated), moves the major tag
// (v1) to it and prints the `git push` commands; pushing the tag runs .github/workflows/release.yml.
// `node scripts/release.ts notes vX.Y.Z` prints that version's CHANGELOG section (release.yml's notes),
// refusing when package.json has another version. RELEASE_BUILD_COMMAND and RELEASE_TEST_COMMAND
// replace `npm run build` and `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An expected refusal: printed as one line, exit code 1. */
export class ReleaseError extends Error {}

type Version = [number, number, number];
const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;
const parseVersion = (text: string) => VERSION.exec(text)?.slice(1).map(Number) as Version | undefined;
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** The newest `vX.Y.Z` among tag names (others, such as the major tag `v1`, are ignored). */
export function latestVersionTag(tags: string[]): string | undefined {
  const versions = tags.flatMap((tag) => (tag.startsWith('v') && parseVersion(tag.slice(1)) ? [tag] : []));
  return versions.sort((a, b) => compare(parseVersion(b.slice(1))!, parseVersion(a.slice(1))!))[0];
}

const UNRELEASED = /^## \[Unreleased\][ \t]*$/m;
const versionHeading = (version: string) =>
  new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?(?:[ \\t].*)?$`, 'm');

/** The text below a `## ` heading, up to the next one; undefined without the heading. */
function section(changelog: string, heading: RegExp): { start: number; body: string; end: number } | undefined {
  const match = heading.exec(changelog);
  if (!match) return undefined;
  const bodyStart = match.index + match[0].length;
  const next = /^## /m.exec(changelog.slice(bodyStart));
  const end = next ? bodyStart + next.index : changelog.length;
  return { start: match.index, body: changelog.slice(bodyStart, end).trim(), end };
}

/** The body of the `## [version]` section: the release notes. */
export function releaseNotes(changelog: string, version: string): string {
  const body = section(changelog, versionHeading(version))?.body;
  if (!body) throw new ReleaseError(`CHANGELOG.md has no notes for ${version} (a "## [${version}] - <date>" section)`);
  return `${body}\n`;
}

/** What `git status --porcelain --branch` shows of a repository, its tags and its CHANGELOG.md. */
export interface Repository {
  status: string;
  tags: string[];
  changelog: string | undefined;
}

/** The checks made before the build, and the CHANGELOG.md of the release; throws the refusal. */
export function plan(version: string, repository: Repository, date: string, branch = 'main') {
  const parsed = parseVersion(version);
  if (!parsed) throw new ReleaseError(`"${version}" is not a version: give x.y.z, such as 1.2.3 (without a "v")`);
  const [head = '', ...changes] = repository.status.split('\n').filter(Boolean);
  // `## main`, `## main...origin/main [ahead 1]`, `## HEAD (no branch)` (detached)
  const current = /^## (?:No commits yet on )?(\S+?)(?:\.\.\.\S+)?(?: \[.*\])?$/.exec(head)?.[1];
  if (current !== branch) {
    const named = current ?? 'detached';
    throw new ReleaseError(`releases are cut from ${branch}, and HEAD is ${named}: git switch ${branch}`);
  }
  if (changes.length)
    throw new ReleaseError(`the working tree is not clean (${list(changes)}): commit or remove the changes first`);
  const tag = `v${version}`;
  if (repository.tags.includes(tag)) throw new ReleaseError(`the tag ${tag} already exists: choose a new version`);
  const latest = latestVersionTag(repository.tags);
  if (latest && compare(parsed, parseVersion(latest.slice(1))!) <= 0) {
    throw new ReleaseError(`${version} is not greater than the latest release, ${latest}`);
  }
  const changelog = repository.changelog;
  if (changelog === undefined) throw new ReleaseError('CHANGELOG.md not found at the root of the repository');
  const unreleased = section(changelog, UNRELEASED);
  if (!unreleased) throw new ReleaseError('CHANGELOG.md has no "## [Unreleased]" section to release');
  if (versionHeading(version).test(changelog)) throw new ReleaseError(`CHANGELOG.md already has a ${version} section`);
  if (!unreleased.body) {
    throw new ReleaseError('the "Unreleased" section of CHANGELOG.md is empty: add the changes of this release first');
  }
  const rest = changelog.slice(unreleased.end);
  const released = `${changelog.slice(0, unreleased.start)}## [Unreleased]\n\n## [${version}] - ${date}\n\n${unreleased.body}\n${rest ? `\n${rest}` : ''}`;
  const majorTag = `v${parsed[0]}`;
  return { tag, majorTag, majorExisted: repository.tags.includes(majorTag), changelog: released };
}

const list = (lines: string[]) => {
  const paths = lines.map((line) => line.slice(3));
  return paths.length > 3 ? `${paths.slice(0, 3).join(', ')}, …` : paths.join(', ');
};
const firstLine = (text: string) => text.trim().split('\n')[0]?.trim() ?? '';

function git(cwd: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
  } catch (error) {
    const { stderr = '', message } = error as { stderr?: string; message: string };
    if (/not a git repository/.test(stderr)) throw new ReleaseError('not inside a git repository');
    throw new ReleaseError(`git ${args.join(' ')} failed: ${firstLine(stderr) || firstLine(message)}`);
  }
}

/** Runs a shell command with its output shown; refuses when it fails. */
function run(command: string, cwd: string, refusal: string): void {
  const result = spawnSync(command, { cwd, shell: true, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new ReleaseError(`${command} could not be started: ${result.error.message}`);
  if (result.status !== 0) throw new ReleaseError(`${command} failed (exit code ${result.status ?? 1})${refusal}`);
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const writeJson = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
const status = (root: string) => git(root, 'status', '--porcelain', '--branch', '--untracked-files=all');

export interface ReleaseOptions {
  version: string;
  /** The repository's root; default the current directory (npm runs scripts at the root). */
  cwd?: string;
  build?: string;
  test?: string;
  /** YYYY-MM-DD for the CHANGELOG heading; default today (local time). */
  date?: string;
  log?: (line: string) => void;
}

export function release(options: ReleaseOptions) {
  const { version, cwd: root = process.cwd(), build = 'npm run build', test = 'npm test' } = options;
  const log = options.log ?? console.log;
  const now = new Date();
  const date = options.date ?? new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
  const changelogPath = join(root, 'CHANGELOG.md');
  const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : undefined;
  const {
    tag,
    majorTag,
    majorExisted,
    changelog: released,
  } = plan(
    version,
    { status: status(root), tags: git(root, 'tag', '--list').split('\n').filter(Boolean), changelog },
    date,
  );

  log(`Building (${build}) to check dist/ …`);
  run(build, root, '');
  const rebuilt = status(root).split('\n').slice(1).filter(Boolean);
  if (rebuilt.length) {
    const where = rebuilt.every((line) => line.slice(3).startsWith('dist/'))
      ? 'dist/ differs from'
      : 'the tree changed with';
    throw new ReleaseError(`${where} a fresh build (${list(rebuilt)}): commit what ${build} made, then release`);
  }
  log(`Testing (${test}) …`);
  run(test, root, ': a release needs passing tests');

  writeFileSync(changelogPath, released);
  const files = ['CHANGELOG.md', 'package.json'];
  writeJson(join(root, 'package.json'), { ...readJson(join(root, 'package.json')), version });
  const lockPath = join(root, 'package-lock.json');
  if (existsSync(lockPath)) {
    const lock = readJson(lockPath) as { packages?: Record<string, object> };
    const packages = lock.packages?.[''] ? { ...lock.packages, '': { ...lock.packages[''], version } } : lock.packages;
    writeJson(lockPath, { ...lock, version, ...(packages ? { packages } : {}) });
    files.push('package-lock.json');
  }
  git(root, 'commit', '--quiet', '-m', `Release ${version}`, '--', ...files);
  git(root, 'tag', '--annotate', tag, '-m', `Release ${version}`);
  git(root, 'tag', '--force', majorTag, 'HEAD');
  const commit = git(root, 'rev-parse', 'HEAD');
  const push = [`git push --atomic origin main ${tag}`, `git push --force origin ${majorTag}`];
  return { tag, majorTag, majorExisted, commit, push };
}

/** The release notes of a tag vX.Y.Z, checked against package.json's version. */
export function notesForTag(tag: string, cwd = process.cwd()): string {
  const version = tag.replace(/^(refs\/tags\/)?v/, '');
  if (version === tag || !parseVersion(version)) throw new ReleaseError(`"${tag}" is not a release tag vX.Y.Z`);
  const manifest = readJson(join(cwd, 'package.json'));
  if (manifest.version !== version) {
    throw new ReleaseError(`package.json has version ${String(manifest.version)}, the tag is ${tag}`);
  }
  return releaseNotes(readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8'), version);
}

function main(args: string[]): void {
  const usage = 'usage: npm run release -- <x.y.z>   or   node scripts/release.ts notes v<x.y.z>';
  if (args[0] === 'notes' && args.length === 2) {
    process.stdout.write(notesForTag(args[1]!));
    return;
  }
  if (args.length !== 1 || args[0]!.startsWith('-') || args[0] === 'notes') throw new ReleaseError(usage);
  const result = release({
    version: args[0]!,
    build: process.env.RELEASE_BUILD_COMMAND || undefined,
    test: process.env.RELEASE_TEST_COMMAND || undefined,
  });
  const major = `${result.majorExisted ? 'moved' : 'created'} ${result.majorTag}`;
  console.log(
    `\nReleased ${result.tag} (commit ${result.commit.slice(0, 12)}) and ${major} on it. Nothing is pushed yet.`,
  );
  console.log('Publish it (the tag starts .github/workflows/release.yml, which also moves the major tag):\n');
  for (const command of result.push) console.log(`  ${command}`);
}

if (import.meta.main) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    console.error(`release: ${error.message}`);
    process.exitCode = 1;
  }
}
