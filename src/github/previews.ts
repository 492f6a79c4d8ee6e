import { branchPreviewName, repositoryName, type GitHubContext } from './context.ts';

// Which widgets are this repository's previews, read from their names alone. Every pattern is
// anchored at both ends: `app-pr-(\d+)$` alone would take `preview-app-pr-3`, another repository's.

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const numbered = (prefix: string) => new RegExp(`^${escape(prefix)}(\\d+)$`);
/** Named like some repository's pull-request preview, `<repo>-pr-<N>` (the default name). */
const ANY_PULL_REQUEST_PREVIEW = /-pr-\d+$/;

/** How this repository names its preview widgets: `<repo>-pr-<N>`, or `<name-prefix><N>`. */
export function previewPattern(context: { github: GitHubContext }, namePrefix: string | undefined): RegExp | undefined {
  const prefix = previewPrefix(context, namePrefix);
  return prefix ? numbered(prefix) : undefined;
}

/** The part of a preview's name before its pull request number. */
export function previewPrefix(context: { github: GitHubContext }, namePrefix: string | undefined): string | undefined {
  const repo = repositoryName(context.github);
  return namePrefix ?? (repo ? `${repo}-pr-` : undefined);
}

/** What a widget's name says about it, for prune. */
export type PreviewKind =
  | { kind: 'pull request'; number: number }
  | { kind: 'branch' }
  | { kind: 'default branch'; branch: string }
  | { kind: "another repository's pull request" }
  | { kind: 'other' };

/**
 * Sorts names under `namePrefix`: this repository's pull-request previews (`<repo>-pr-<N>` or
 * `<name-prefix><N>`), its default branch's widget, names shaped like another repository's
 * pull-request preview, and possible branch previews (`<repo>-<anything else>`).
 */
export function previewKinds(github: GitHubContext, namePrefix: string): (name: string) => PreviewKind {
  const repo = repositoryName(github);
  const ours = [repo && numbered(`${repo}-pr-`), numbered(namePrefix)].filter((p): p is RegExp => Boolean(p));
  const defaultBranch = repo && github.defaultBranch ? branchPreviewName(repo, github.defaultBranch) : undefined;
  return (name) => {
    if (name === defaultBranch) return { kind: 'default branch', branch: github.defaultBranch! };
    for (const pattern of ours) {
      const number = pattern.exec(name)?.[1];
      if (number !== undefined) return { kind: 'pull request', number: Number(number) };
    }
    if (ANY_PULL_REQUEST_PREVIEW.test(name)) return { kind: "another repository's pull request" };
    if (repo && name.startsWith(`${repo}-`)) return { kind: 'branch' };
    return { kind: 'other' };
  };
}
