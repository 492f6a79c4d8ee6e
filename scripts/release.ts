// npm run release -- <x.y.z>: cuts a release locally and pushes nothing. It refuses (one line, exit
// code 1) unless the tree is clean, on main, the version is new and greater than the latest vX.Y.Z tag,
// CHANGELOG.md has Unreleased changes, dist/ equals a fresh `npm run build` and `npm test` passes. Then
// it sets the version in package.json (and package-lock.json), moves CHANGELOG.md's Unreleased section
// under the version and today's date, commits, creates the annotated tag vX.Y.Z, moves the major tag
// (v1) to it and prints the `git push` commands. Pushing the tag runs .github/workflows/release.yml.
//
// node scripts/release.ts notes vX.Y.Z: prints the CHANGELOG section of that version (the release
// notes), refusing when package.json has another version; release.yml uses it.
//
// RELEASE_BUILD_COMMAND and RELEASE_TEST_COMMAND replace `npm run build` and `npm test` (the test of
// this script runs it against temporary repositories with stub commands).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareVersions,
  latestVersionTag,
  parseVersion,
  ReleaseError,
  releaseChangelog,
  releaseNotes,
} from './lib/release-changelog.ts';

export { ReleaseError };

export const defaultCommands = { build: 'npm run build', test: 'npm test' } as const;

export interface ReleaseOptions {
  /** The new version, x.y.z. */
  version: string;
  /** A directory of the repository; default the current one. */
  cwd?: string;
  /** Shell commands, run at the repository's root. */
  build?: string;
  test?: string;
  /** The only branch releases are cut from. */
  branch?: string;
  /** YYYY-MM-DD for the CHANGELOG heading; default today (local time). */
  date?: string;
  log?: (line: string) => void;
}

export interface ReleaseResult {
  tag: string;
  majorTag: string;
  /** The release the major tag pointed at before, undefined when this release created it. */
  previousMajorTarget: string | undefined;
  commit: string;
  /** The commands that publish the release, for the user to run. */
  push: string[];
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.trim() ?? '';

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new ReleaseError(`git ${args.join(' ')} failed: ${firstLine(stderr ?? '') || firstLine(message)}`);
  }
}

/** `git` that answers undefined instead of failing (a ref that does not exist). */
function gitMaybe(cwd: string, args: string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch {
    return undefined;
  }
}

/** Runs a shell command with its output shown; returns its exit code. */
function run(command: string, cwd: string): number {
  const result = spawnSync(command, { cwd, shell: true, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new ReleaseError(`${command} could not be started: ${result.error.message}`);
  return result.status ?? 1;
}

/** Paths that differ from HEAD (changed, deleted or untracked), as `git status --porcelain` lists them. */
function changedPaths(root: string, pathspec: string[] = []): string[] {
  const status = git(root, ['status', '--porcelain', '--untracked-files=all', '--', ...pathspec]);
  return status ? status.split('\n').map((line) => line.slice(3)) : [];
}

const list = (paths: string[]) => (paths.length > 3 ? `${paths.slice(0, 3).join(', ')}, …` : paths.join(', '));

function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function readJson(path: string, name: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ReleaseError(`${name} could not be read: ${firstLine((error as Error).message)}`);
  }
}

const writeJson = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

export function release(options: ReleaseOptions): ReleaseResult {
  const { version, branch = 'main', build = defaultCommands.build, test = defaultCommands.test } = options;
  const log = options.log ?? ((line: string) => console.log(line));

  const parsed = parseVersion(version);
  if (!parsed) throw new ReleaseError(`"${version}" is not a version: give x.y.z, such as 1.2.3 (without a "v")`);
  const tag = `v${version}`;
  const majorTag = `v${parsed[0]}`;

  const root = gitMaybe(options.cwd ?? process.cwd(), ['rev-parse', '--show-toplevel']);
  if (!root) throw new ReleaseError('not inside a git repository');
  const current = gitMaybe(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (current !== branch) {
    throw new ReleaseError(
      `releases are cut from ${branch}, and HEAD is ${current ?? 'detached'}: git switch ${branch}`,
    );
  }
  const dirty = changedPaths(root);
  if (dirty.length) {
    throw new ReleaseError(`the working tree is not clean (${list(dirty)}): commit or remove the changes first`);
  }

  const tags = git(root, ['tag', '--list']).split('\n').filter(Boolean);
  if (tags.includes(tag)) throw new ReleaseError(`the tag ${tag} already exists: choose a new version`);
  const latest = latestVersionTag(tags);
  if (latest && compareVersions(parsed, parseVersion(latest.slice(1))!) <= 0) {
    throw new ReleaseError(`${version} is not greater than the latest release, ${latest}`);
  }

  const changelogPath = join(root, 'CHANGELOG.md');
  if (!existsSync(changelogPath)) throw new ReleaseError('CHANGELOG.md not found at the root of the repository');
  const changelog = releaseChangelog(readFileSync(changelogPath, 'utf8'), version, options.date ?? today());
  const manifestPath = join(root, 'package.json');
  const manifest = readJson(manifestPath, 'package.json');

  log(`Building (${build}) to check dist/ …`);
  const buildCode = run(build, root);
  if (buildCode !== 0) throw new ReleaseError(`${build} failed (exit code ${buildCode})`);
  const rebuilt = changedPaths(root);
  if (rebuilt.length) {
    const where = rebuilt.every((path) => path.startsWith('dist/')) ? 'dist/ differs from' : 'the tree changed with';
    throw new ReleaseError(`${where} a fresh build (${list(rebuilt)}): commit what ${build} made, then release`);
  }

  log(`Testing (${test}) …`);
  const testCode = run(test, root);
  if (testCode !== 0) throw new ReleaseError(`${test} failed (exit code ${testCode}): a release needs passing tests`);

  writeFileSync(changelogPath, changelog);
  writeJson(manifestPath, { ...manifest, version });
  const files = ['CHANGELOG.md', 'package.json'];
  const lockPath = join(root, 'package-lock.json');
  if (gitMaybe(root, ['ls-files', '--error-unmatch', 'package-lock.json']) !== undefined) {
    const lock = readJson(lockPath, 'package-lock.json') as { version?: string; packages?: Record<string, object> };
    const rootPackage = lock.packages?.[''];
    writeJson(lockPath, {
      ...lock,
      version,
      ...(rootPackage ? { packages: { ...lock.packages, '': { ...rootPackage, version } } } : {}),
    });
    files.push('package-lock.json');
  }
  git(root, ['commit', '--quiet', '-m', `Release ${version}`, '--', ...files]);
  git(root, ['tag', '--annotate', tag, '-m', `Release ${version}`]);
  const commit = git(root, ['rev-parse', `${tag}^{commit}`]);
  const previous = gitMaybe(root, ['rev-parse', '--quiet', '--verify', `refs/tags/${majorTag}^{commit}`]);
  const previousMajorTarget = previous
    ? (gitMaybe(root, ['describe', '--tags', '--exact-match', '--match', 'v*.*.*', previous]) ?? previous.slice(0, 12))
    : undefined;
  git(root, ['tag', '--force', majorTag, commit]);

  const remote = gitMaybe(root, ['config', '--get', `branch.${branch}.remote`]) ?? 'origin';
  return {
    tag,
    majorTag,
    previousMajorTarget,
    commit,
    push: [`git push --atomic ${remote} ${branch} ${tag}`, `git push --force ${remote} ${majorTag}`],
  };
}

/** The release notes of a tag vX.Y.Z, checked against package.json's version. */
export function notesForTag(tag: string, cwd: string = process.cwd()): string {
  const version = tag.replace(/^(refs\/tags\/)?v/, '');
  if (version === tag || !parseVersion(version)) throw new ReleaseError(`"${tag}" is not a release tag vX.Y.Z`);
  const manifest = readJson(join(cwd, 'package.json'), 'package.json');
  if (manifest.version !== version) {
    throw new ReleaseError(`package.json has version ${String(manifest.version)}, the tag is ${tag}`);
  }
  const changelogPath = join(cwd, 'CHANGELOG.md');
  if (!existsSync(changelogPath)) throw new ReleaseError('CHANGELOG.md not found');
  return releaseNotes(readFileSync(changelogPath, 'utf8'), version);
}

function main(args: string[]): void {
  const usage = 'usage: npm run release -- <x.y.z>   or   node scripts/release.ts notes v<x.y.z>';
  if (args[0] === 'notes') {
    if (args.length !== 2) throw new ReleaseError(usage);
    process.stdout.write(notesForTag(args[1]!));
    return;
  }
  if (args.length !== 1 || args[0]!.startsWith('-')) throw new ReleaseError(usage);
  const result = release({
    version: args[0]!,
    build: process.env.RELEASE_BUILD_COMMAND || undefined,
    test: process.env.RELEASE_TEST_COMMAND || undefined,
  });
  const moved = result.previousMajorTarget
    ? `moved ${result.majorTag} from ${result.previousMajorTarget} to it`
    : `created ${result.majorTag} on it`;
  console.log(`\nReleased ${result.tag} (commit ${result.commit.slice(0, 12)}) and ${moved}. Nothing is pushed yet.`);
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
