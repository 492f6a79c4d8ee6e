import { branchPreviewName, repositoryName, type GitHubContext } from './context.ts';

/** A name that ends like a pull request's preview, of any repository. */
export const PULL_REQUEST_PREVIEW = /-pr-\d+$/;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const numbered = (prefix: string) => new RegExp(`^${escape(prefix)}(\\d+)$`);

type PreviewKind =
  | { kind: 'pull request'; number: number }
  | { kind: 'branch' }
  | { kind: 'default branch'; branch: string }
  | { kind: "another repository's pull request" }
  | { kind: 'other' };

/**
 * Prune's and recycling's one judgement of names under `prefix` (`name-prefix`, else `<repo>-pr-`):
 * this repository's pull-request previews (`<repo>-pr-<N>` or `<prefix><N>`), its default branch's
 * widget, another repository's previews (`…-pr-<N>`), and possible branch previews (`<repo>-…`).
 * Patterns are anchored at both ends: `app-pr-(\d+)$` alone would take `preview-app-pr-3`.
 */
export function previewNames(github: GitHubContext, namePrefix: string | undefined) {
  const repo = repositoryName(github);
  const prefix = namePrefix ?? (repo ? `${repo}-pr-` : undefined);
  const ours = [repo && numbered(`${repo}-pr-`), prefix && numbered(prefix)].filter((p): p is RegExp => Boolean(p));
  const defaultBranch = repo && github.defaultBranch ? branchPreviewName(repo, github.defaultBranch) : undefined;
  const kindOf = (name: string): PreviewKind => {
    if (prefix === undefined || !name.startsWith(prefix)) return { kind: 'other' };
    if (name === defaultBranch) return { kind: 'default branch', branch: github.defaultBranch! };
    for (const pattern of ours) {
      const number = pattern.exec(name)?.[1];
      if (number !== undefined) return { kind: 'pull request', number: Number(number) };
    }
    if (PULL_REQUEST_PREVIEW.test(name)) return { kind: "another repository's pull request" };
    return repo && name.startsWith(`${repo}-`) ? { kind: 'branch' } : { kind: 'other' };
  };
  return { prefix, kindOf };
}
