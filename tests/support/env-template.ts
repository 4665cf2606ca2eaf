import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../main/core/config.js';
import { REPO_ROOT } from './server.js';

/** The variables docker-compose.yml itself substitutes (`${NAME}`, `${NAME:-default}`, `${NAME:?message}`). */
export function composeVariables(composeText = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')): Set<string> {
  return new Set([...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
}

/**
 * What is wrong with an env template, line by line: anything that is not a comment,
 * a blank line or `KEY=VALUE`, and any key that neither LexDesk nor the compose file
 * reads. Node's .env parser skips what it cannot read without a word, so a conflict
 * marker or a typo would silently drop settings.
 */
export function envTemplateProblems(text: string, known: Set<string>): string[] {
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) {
      problems.push(`${where}: not a comment, a blank line or KEY=VALUE: ${line.slice(0, 40)}`);
      return;
    }
    if (!known.has(match[1]!)) problems.push(`${where}: ${match[1]} is read by neither LexDesk nor docker-compose.yml`);
  });
  return problems;
}

export const KNOWN_TEMPLATE_VARIABLES = (): Set<string> => new Set([...CONFIG_VARIABLES, ...composeVariables()]);
