// The pure parts of a release: versions (x.y.z, compared numerically) and CHANGELOG.md, whose
// "## [Unreleased]" section becomes "## [x.y.z] - YYYY-MM-DD" under a new, empty "Unreleased".

/** An expected refusal: the release script prints its message on one line and exits non-zero. */
export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

export type Version = readonly [major: number, minor: number, patch: number];

const versionPattern = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

/** `1.2.3` as numbers, or undefined when it is not a plain x.y.z version. */
export function parseVersion(text: string): Version | undefined {
  const match = versionPattern.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The newest `vX.Y.Z` among tag names (others, such as the major tag `v1`, are ignored). */
export function latestVersionTag(tags: readonly string[]): string | undefined {
  let latest: { tag: string; version: Version } | undefined;
  for (const tag of tags) {
    const version = tag.startsWith('v') ? parseVersion(tag.slice(1)) : undefined;
    if (version && (!latest || compareVersions(version, latest.version) > 0)) latest = { tag, version };
  }
  return latest?.tag;
}

const unreleasedHeading = /^## \[Unreleased\][ \t]*$/im;

interface Section {
  start: number; // index of the heading
  bodyStart: number; // index after the heading line
  end: number; // index of the next `## ` heading, or the end of the text
}

function findSection(changelog: string, heading: RegExp): Section | undefined {
  const match = heading.exec(changelog);
  if (!match) return undefined;
  const bodyStart = match.index + match[0].length;
  const next = /^## /m.exec(changelog.slice(bodyStart));
  return { start: match.index, bodyStart, end: next ? bodyStart + next.index : changelog.length };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const versionHeading = (version: string) => new RegExp(`^## \\[?${escape(version)}\\]?(?:[ \\t].*)?$`, 'm');

/** CHANGELOG.md with its Unreleased changes moved under `## [version] - date`, Unreleased left empty. */
export function releaseChangelog(changelog: string, version: string, date: string): string {
  const unreleased = findSection(changelog, unreleasedHeading);
  if (!unreleased) throw new ReleaseError('CHANGELOG.md has no "## [Unreleased]" section to release');
  if (versionHeading(version).test(changelog)) throw new ReleaseError(`CHANGELOG.md already has a ${version} section`);
  const body = changelog.slice(unreleased.bodyStart, unreleased.end).trim();
  if (!body) {
    throw new ReleaseError('the "Unreleased" section of CHANGELOG.md is empty: add the changes of this release first');
  }
  const rest = changelog.slice(unreleased.end);
  return `${changelog.slice(0, unreleased.start)}## [Unreleased]\n\n## [${version}] - ${date}\n\n${body}\n${rest ? `\n${rest}` : ''}`;
}

/** The body of the `## [version]` section: the release notes. */
export function releaseNotes(changelog: string, version: string): string {
  const section = findSection(changelog, versionHeading(version));
  const body = section ? changelog.slice(section.bodyStart, section.end).trim() : '';
  if (!body) throw new ReleaseError(`CHANGELOG.md has no notes for ${version} (a "## [${version}] - <date>" section)`);
  return `${body}\n`;
}
