/**
 * Where the desktop app finds its updates (LEXDESK_UPDATE_URL): a generic HTTPS
 * folder the office or the vendor hosts (electron-builder's `latest.yml`,
 * `latest-mac.yml`, `latest-linux.yml` and the installers side by side), or the
 * releases of a GitHub repository. The same value builds the installer's `publish`
 * section (electron-builder.config.cjs reads it the same way).
 *
 *   parseUpdateFeed('https://updates.example.com/lexdesk') // { provider: 'generic', url: 'https://updates.example.com/lexdesk/' }
 *   parseUpdateFeed('github:acme/lexdesk')                 // { provider: 'github', owner: 'acme', repo: 'lexdesk' }
 */
export type UpdateFeed = { provider: 'generic'; url: string } | { provider: 'github'; owner: string; repo: string };

const GITHUB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const UPDATE_FEED_RULE =
  'must be an https:// address of the folder holding latest.yml, or github:owner/repo (http:// only on this computer, for testing)';

/** The feed a value names, or null when it names none a person should trust. */
export function parseUpdateFeed(value: string): UpdateFeed | null {
  const text = value.trim();
  const github = /^github:([^/\s]+)\/([^/\s]+)$/.exec(text);
  if (github) {
    const [, owner = '', repo = ''] = github;
    return GITHUB_NAME.test(owner) && GITHUB_NAME.test(repo) ? { provider: 'github', owner, repo } : null;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.protocol === 'https:' && url.hostname === 'github.com') {
    const [owner = '', repo = '', ...rest] = url.pathname.split('/').filter(Boolean);
    if (rest.length === 0 && GITHUB_NAME.test(owner) && GITHUB_NAME.test(repo)) return { provider: 'github', owner, repo: repo.replace(/\.git$/, '') };
    return null;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return null;
  const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
  return { provider: 'generic', url: href };
}

/** The feed for people (About box, support information). */
export function describeUpdateFeed(feed: UpdateFeed | null): string | null {
  if (!feed) return null;
  return feed.provider === 'github' ? `GitHub releases of ${feed.owner}/${feed.repo}` : feed.url;
}
