/** Loaded before every test file: embedded servers keep their sessions in a temp dir, never the user's data dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'punie-test-data-'));
process.env.PUNIE_DATA_DIR = dir;
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
