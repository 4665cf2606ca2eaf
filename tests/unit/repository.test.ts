import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig, readEnvFile } from '../../main/core/config.js';
import { envTemplateProblems, KNOWN_TEMPLATE_VARIABLES } from '../support/env-template.js';
import { REPO_ROOT } from '../support/server.js';

const TEMPLATE = join(REPO_ROOT, '.env.production');

describe('.env.production, the template of the docker compose stack', () => {
  it('has only comments, blank lines and KEY=VALUE lines of variables LexDesk or the compose file reads', () => {
    expect(envTemplateProblems(readFileSync(TEMPLATE, 'utf8'), KNOWN_TEMPLATE_VARIABLES())).toEqual([]);
  });

  it('loads with LexDesk’s own loader, every assignment kept', () => {
    const text = readFileSync(TEMPLATE, 'utf8');
    const assigned = text.split('\n').filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line)).map((line) => line.split('=')[0]);
    expect(Object.keys(readEnvFile(TEMPLATE)).sort()).toEqual([...new Set(assigned)].sort());
    const config = loadConfig({ face: 'headless', env: {}, envFile: TEMPLATE, cwd: REPO_ROOT });
    // the proxy's own address (docker-compose.yml gives NGINX 172.28.0.10), never `true`
    expect(config.trustProxy).toEqual(['172.28.0.10']);
    expect(config.metricsAllow).toEqual(['172.28.0.20']);
    expect(config.backupKek).toMatchObject({ file: '/run/secrets/backup-kek' });
    expect(config.monitoringIntervalSeconds).toBe(15);
    expect(config.auth.lockoutThreshold).toBe(5);
    // the backups on their own volume, not beside the data folder and its secrets
    expect(config.backupDir).toBe('/backups');
  });

  it('documents the monitoring and sign-in settings both', () => {
    const keys = Object.keys(readEnvFile(TEMPLATE));
    expect(keys).toEqual(expect.arrayContaining(['LEXDESK_MONITORING_INTERVAL', 'LEXDESK_LOCKOUT_THRESHOLD', 'LEXDESK_LOCKOUT_MINUTES', 'LEXDESK_JWT_SECRET']));
    for (const key of ['LEXDESK_MONITORING_INTERVAL', 'LEXDESK_LOCKOUT_THRESHOLD']) expect(CONFIG_VARIABLES).toContain(key);
  });

  it('the check catches a merge conflict and an unknown key', () => {
    const text = readFileSync(TEMPLATE, 'utf8');
    const conflicted = text.replace(
      'LEXDESK_LOG_LEVEL=info\n',
      'LEXDESK_LOG_LEVEL=info\n<<<<<<< HEAD\nLEXDESK_MONITORING_INTERVAL=30\n=======\nLEXDESK_LOCKOUT_MINUTES=30\n>>>>>>> main\nLEXDESK_LOCKOUT_MINTUES=5\n',
    );
    const problems = envTemplateProblems(conflicted, KNOWN_TEMPLATE_VARIABLES());
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/<<<<<<< HEAD/);
    expect(problems.join('\n')).toMatch(/LEXDESK_LOCKOUT_MINTUES is read by neither/);
  });
});

describe('the repository', () => {
  it('holds no merge conflict markers in any tracked file', () => {
    let found = '';
    try {
      // git grep exits 1 when nothing matches
      found = execFileSync('git', ['grep', '-nE', '^(<<<<<<< |>>>>>>> |=======$)', '--', '.', ':!package-lock.json'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
    } catch (err) {
      if ((err as { status?: number }).status !== 1) throw err;
    }
    expect(found).toBe('');
  });
});
