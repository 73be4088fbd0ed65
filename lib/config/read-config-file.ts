import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from './config-error.js';

const FILE_KEY = '(file)';

/**
 * Reads a YAML or JSON config file into plain data (null for an empty file). JSON goes through
 * the YAML parser as well: JSON is valid YAML 1.2, and unlike JSON.parse the YAML parser's
 * messages never quote the file's content, which may hold a password.
 * Throws ConfigError listing every syntax error found.
 */
export function readConfigFile(file: string): unknown {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      { key: FILE_KEY, value: file, expected: `a readable config file (${reasonOf(error)})` },
    ]);
  }
  return parseYaml(file, source);
}

function parseYaml(file: string, source: string): unknown {
  const lineCounter = new LineCounter();
  // prettyErrors off: the pretty form quotes the offending line.
  // Merge keys (`<<: *anchor`) on: Butler's YAML reader accepts them.
  const document = parseDocument(source, { lineCounter, prettyErrors: false, merge: true });
  const problems: ConfigProblem[] = document.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return {
      key: FILE_KEY,
      value: file,
      expected: `valid YAML (line ${line}, column ${col}: ${error.message})`,
    };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    return document.toJS();
  } catch (error) {
    // For example too many alias expansions.
    throw new ConfigError([
      { key: FILE_KEY, value: file, expected: `valid YAML (${reasonOf(error)})` },
    ]);
  }
}

const FILE_ERROR_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
};

/** A short reason; checks fields rather than `instanceof`, which fails across VM contexts. */
function reasonOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return FILE_ERROR_REASONS[code] ?? code;
  return typeof message === 'string' ? message : String(error);
}
